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
  X(OBJ_nid2ln)                        \
  X(OBJ_sn2nid)                        \
  X(OPENSSL_sk_num)                    \
  X(OPENSSL_sk_value)                  \
  X(OpenSSL_version)                   \
  X(OpenSSL_version_num)               \
  X(PEM_read_bio_Parameters)           \
  X(PEM_read_bio_PrivateKey)           \
  X(PEM_read_bio_X509)                 \
  X(PEM_read_bio_X509_AUX)             \
  X(RAND_add)                          \
  X(RAND_bytes)                        \
  X(RAND_status)                       \
  X(SSL_CIPHER_description)            \
  X(SSL_CIPHER_get_auth_nid)           \
  X(SSL_CIPHER_get_bits)               \
  X(SSL_CIPHER_get_id)                 \
  X(SSL_CIPHER_get_cipher_nid)         \
  X(SSL_CIPHER_get_digest_nid)         \
  X(SSL_CIPHER_get_kx_nid)             \
  X(SSL_CIPHER_get_name)               \
  X(SSL_CIPHER_get_version)            \
  X(SSL_CIPHER_is_aead)                \
  X(SSL_client_hello_get0_ext)         \
  X(SSL_ctrl)                          \
  X(SSL_CTX_check_private_key)         \
  X(SSL_CTX_clear_options)             \
  X(SSL_CTX_ctrl)                      \
  X(SSL_CTX_free)                      \
  X(SSL_CTX_get0_param)                \
  X(SSL_CTX_get_cert_store)            \
  X(SSL_CTX_get_num_tickets)           \
  X(SSL_CTX_get_options)               \
  X(SSL_CTX_get_security_level)        \
  X(SSL_CTX_new)                       \
  X(SSL_CTX_set0_tmp_dh_pkey)          \
  X(SSL_CTX_set1_cert_store)           \
  X(SSL_CTX_set_alpn_protos)           \
  X(SSL_CTX_set_alpn_select_cb)        \
  X(SSL_CTX_set_cert_store)            \
  X(SSL_CTX_set_cipher_list)           \
  X(SSL_CTX_set_num_tickets)           \
  X(SSL_CTX_set_client_hello_cb)       \
  X(SSL_CTX_set_keylog_callback)       \
  X(SSL_CTX_set_options)               \
  X(SSL_CTX_set_session_id_context)    \
  X(SSL_CTX_set_verify)                \
  X(SSL_CTX_use_certificate)           \
  X(SSL_CTX_use_PrivateKey)            \
  X(SSL_do_handshake)                  \
  X(SSL_free)                          \
  X(SSL_get0_alpn_selected)            \
  X(SSL_get0_param)                    \
  X(SSL_get1_peer_certificate)         \
  X(SSL_get1_session)                  \
  X(SSL_get_ciphers)                   \
  X(SSL_get_client_ciphers)            \
  X(SSL_get_current_cipher)            \
  X(SSL_get_error)                     \
  X(SSL_get_finished)                  \
  X(SSL_get_peer_finished)             \
  X(SSL_get_shutdown)                  \
  X(SSL_get_verify_callback)           \
  X(SSL_get_verify_mode)               \
  X(SSL_get_ex_data)                   \
  X(SSL_get_verify_result)             \
  X(SSL_get_version)                   \
  X(SSL_is_init_finished)              \
  X(SSL_is_server)                     \
  X(SSL_new)                           \
  X(SSL_pending)                       \
  X(SSL_read_ex)                       \
  X(SSL_select_next_proto)             \
  X(SSL_set0_rbio)                     \
  X(SSL_set0_wbio)                     \
  X(SSL_SESSION_free)                  \
  X(SSL_SESSION_get_id)                \
  X(SSL_SESSION_get_ticket_lifetime_hint) \
  X(SSL_SESSION_get_time)              \
  X(SSL_SESSION_get_timeout)           \
  X(SSL_SESSION_has_ticket)            \
  X(SSL_session_reused)                \
  X(SSL_set_accept_state)              \
  X(SSL_set_bio)                       \
  X(SSL_set_connect_state)             \
  X(SSL_set_post_handshake_auth)       \
  X(SSL_set_session)                   \
  X(SSL_set_shutdown)                  \
  X(SSL_set_verify)                    \
  X(SSL_set_ex_data)                   \
  X(SSL_set_SSL_CTX)                   \
  X(SSL_shutdown)                      \
  X(SSL_verify_client_post_handshake)  \
  X(SSL_write_ex)                      \
  X(TLS_client_method)                 \
  X(TLS_server_method)                 \
  X(X509_check_ca)                     \
  X(X509_free)                         \
  X(X509_get_default_cert_dir)         \
  X(X509_get_default_cert_dir_env)     \
  X(X509_get_default_cert_file)        \
  X(X509_get_default_cert_file_env)    \
  X(X509_OBJECT_get0_X509)             \
  X(X509_OBJECT_get_type)              \
  X(X509_STORE_add_cert)               \
  X(X509_STORE_free)                   \
  X(X509_STORE_get0_objects)           \
  X(X509_STORE_load_path)              \
  X(X509_STORE_lock)                   \
  X(X509_STORE_new)                    \
  X(X509_STORE_set_default_paths)      \
  X(X509_STORE_unlock)                 \
  X(X509_verify_cert_error_string)     \
  X(X509_VERIFY_PARAM_clear_flags)     \
  X(X509_VERIFY_PARAM_get_flags)       \
  X(X509_VERIFY_PARAM_set1_host)       \
  X(X509_VERIFY_PARAM_set1_ip_asc)     \
  X(X509_VERIFY_PARAM_set_flags)       \
  X(X509_VERIFY_PARAM_set_hostflags)

#define TLS_PRAGMA(text) _Pragma(#text)
#define TLS_WEAK(name) TLS_PRAGMA(weak name)
TLS_FUNCTIONS(TLS_WEAK)
#undef TLS_WEAK
#undef TLS_PRAGMA

#endif
