# Shared by the bench scripts (source it): wrk and the machine description.

# wrk (Debian package) when missing.
need_wrk() {
  if ! command -v wrk >/dev/null; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
  fi
}

# "2 cores (AMD EPYC …), 24 GiB RAM, Linux 6.x"
machine() {
  local cpu mem
  cpu=$(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //')
  mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
  echo "$(nproc) cores ($cpu), $mem RAM, $(uname -sr)"
}
