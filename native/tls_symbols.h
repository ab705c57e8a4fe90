/* Every OpenSSL function the addon calls (directly or through a header's
 * macro), each a weak reference: bound at load time to the node binary's
 * own OpenSSL (which Node exports to addons), and NULL on a Node build that
 * exports none, where the socket module still loads and only TLS says what
 * is missing (tls_missing_symbol, tls_error.c). Only functions of OpenSSL
 * 3.0's stable API, present in every OpenSSL 3 of Node 20 to 26.
 * scripts/prebuild.mjs fails a build that references an OpenSSL function
 * strongly: a call added without its line here. */
#ifndef BERKELEY_TLS_SYMBOLS_H
#define BERKELEY_TLS_SYMBOLS_H

#define TLS_FUNCTIONS(X)                     \
  X(BIO_clear_flags)                   \
  X(BIO_ctrl)                          \
  X(BIO_ctrl_pending)                  \
  X(BIO_free)                          \
  X(BIO_get_data)                      \
  X(BIO_get_new_index)                 \
  X(BIO_meth_free)                     \
  X(BIO_meth_new)                      \
  X(BIO_meth_set_create)               \
  X(BIO_meth_set_ctrl)                 \
  X(BIO_meth_set_read_ex)              \
  X(BIO_meth_set_write_ex)             \
  X(BIO_new)                           \
  X(BIO_new_mem_buf)                   \
  X(BIO_read_ex)                       \
  X(BIO_s_mem)                         \
  X(BIO_set_data)                      \
  X(BIO_set_flags)                     \
  X(BIO_set_init)                      \
  X(BIO_up_ref)                        \
  X(BIO_write_ex)                      \
  X(d2i_X509_bio)                      \
  X(ERR_clear_error)                   \
  X(ERR_peek_last_error)               \
  X(ERR_reason_error_string)           \
  X(EVP_PKEY_free)                     \
  X(i2d_X509)                          \
  X(OPENSSL_sk_num)                    \
  X(OPENSSL_sk_value)                  \
  X(PEM_read_bio_PrivateKey)           \
  X(PEM_read_bio_X509)                 \
  X(PEM_read_bio_X509_AUX)             \
  X(SSL_CIPHER_get_bits)               \
  X(SSL_CIPHER_get_name)               \
  X(SSL_CIPHER_get_version)            \
  X(SSL_ctrl)                          \
  X(SSL_CTX_check_private_key)         \
  X(SSL_CTX_ctrl)                      \
  X(SSL_CTX_free)                      \
  X(SSL_CTX_get0_param)                \
  X(SSL_CTX_get_cert_store)            \
  X(SSL_CTX_new)                       \
  X(SSL_CTX_set1_cert_store)           \
  X(SSL_CTX_set_alpn_protos)           \
  X(SSL_CTX_set_alpn_select_cb)        \
  X(SSL_CTX_set_cert_store)            \
  X(SSL_CTX_set_cipher_list)           \
  X(SSL_CTX_set_options)               \
  X(SSL_CTX_set_verify)                \
  X(SSL_CTX_use_certificate)           \
  X(SSL_CTX_use_PrivateKey)            \
  X(SSL_do_handshake)                  \
  X(SSL_free)                          \
  X(SSL_get0_alpn_selected)            \
  X(SSL_get0_param)                    \
  X(SSL_get1_peer_certificate)         \
  X(SSL_get_current_cipher)            \
  X(SSL_get_error)                     \
  X(SSL_get_verify_result)             \
  X(SSL_get_version)                   \
  X(SSL_is_init_finished)              \
  X(SSL_new)                           \
  X(SSL_pending)                       \
  X(SSL_read_ex)                       \
  X(SSL_select_next_proto)             \
  X(SSL_set0_rbio)                     \
  X(SSL_set0_wbio)                     \
  X(SSL_set_accept_state)              \
  X(SSL_set_bio)                       \
  X(SSL_set_connect_state)             \
  X(SSL_shutdown)                      \
  X(SSL_write_ex)                      \
  X(TLS_client_method)                 \
  X(TLS_server_method)                 \
  X(X509_free)                         \
  X(X509_OBJECT_get0_X509)             \
  X(X509_STORE_add_cert)               \
  X(X509_STORE_free)                   \
  X(X509_STORE_get0_objects)           \
  X(X509_STORE_load_path)              \
  X(X509_STORE_lock)                   \
  X(X509_STORE_new)                    \
  X(X509_STORE_unlock)                 \
  X(X509_verify_cert_error_string)     \
  X(X509_VERIFY_PARAM_set1_host)       \
  X(X509_VERIFY_PARAM_set1_ip_asc)     \
  X(X509_VERIFY_PARAM_set_hostflags)

#define TLS_PRAGMA(text) _Pragma(#text)
#define TLS_WEAK(name) TLS_PRAGMA(weak name)
TLS_FUNCTIONS(TLS_WEAK)
#undef TLS_WEAK
#undef TLS_PRAGMA

#endif
