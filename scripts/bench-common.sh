# Shared by the bench scripts (source it): wrk and the machine description.

# wrk (Debian package) when missing.
need_wrk() {
  if ! command -v wrk >/dev/null; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
  fi
}

# replace_section "TITLE PREFIX" FILE: the section of BENCHMARKS.md whose "## "
# heading starts with TITLE PREFIX is replaced by FILE (appended when missing);
# the other sections are left alone.
replace_section() {
  local title="$1" section="$2" bench="$ROOT/BENCHMARKS.md"
  awk -v title="## $title" -v section="$section" '
    function emit(line) { while ((getline line < section) > 0) print line }
    index($0, title) == 1 { emit(); skip = 1; done = 1; next }
    skip && /^## / { skip = 0; print "" }
    !skip { print }
    END { if (!done) { print ""; emit() } }
  ' "$bench" >"$bench.new"
  mv "$bench.new" "$bench"
}

# "2 cores (AMD EPYC …), 24 GiB RAM, Linux 6.x"
machine() {
  local cpu mem
  cpu=$(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //')
  mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
  echo "$(nproc) cores ($cpu), $mem RAM, $(uname -sr)"
}

# merge_tables FILE [PREFIX PREFIX_FILE]: the Markdown tables of FILE (runs
# printing "#### title", a header, a rule and rows) as one table per title with
# every run's rows under one header ("**title**"); titles starting with PREFIX
# go to PREFIX_FILE instead of stdout.
merge_tables() {
  awk -v prefix="${2:-}" -v split_to="${3:-/dev/null}" '
    /^#### / { title = $0; if (!(title in seen)) { seen[title] = 1; order[++n] = title }; state = 1; next }
    /^\|/ {
      if (state == 1) { header[title] = $0; state = 2; next }
      if (state == 2) { rule[title] = $0; state = 3; next }
      rows[title] = rows[title] $0 "\n"; next
    }
    /^$/ { if (state == 3) state = 0 }
    END {
      printf "" >split_to
      for (i = 1; i <= n; i++) {
        t = order[i]; sub(/^#### /, "", t)
        out = (prefix != "" && index(t, prefix) == 1) ? split_to : "/dev/stdout"
        printf "**%s**\n\n%s\n%s\n%s\n", t, header[order[i]], rule[order[i]], rows[order[i]] >out
      }
    }
  ' "$1"
}
