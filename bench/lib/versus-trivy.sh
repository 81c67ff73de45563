# shellcheck shell=bash
# bench/lib/versus-trivy.sh — what bench/inspect-vs-trivy/run and bench/sbom/run share: pith
# built and copied aside, the golang-like image (docker-archive and OCI layout) and trivy made
# ready, warm-up and timed rounds alternating the tools, the floors measured in the same run,
# and the table of medians, ratios and goals. Source it (bash), then call the functions;
# nothing runs on `source`.
#
# The caller sets, before vt_setup:
#   vt_name       the benchmark's name, for log lines ("inspect-vs-trivy")
#   root          the checkout
#   rounds        timed rounds (after one untimed warm-up of every job)
# and defines
#   job_cmd JOB OUT   the command of JOB (TOOL.INPUT, TOOL pith|trivy, INPUT docker|oci) into
#                     the array `cmd`, writing its document to OUT; when `cmd_stdout` is set to
#                     1 the command writes it to standard output instead.
#
#   vt_setup      builds pith (unless PITH is set) and the floor helper, sets up the image
#                 (bench/lib/golang-image.sh; holds its lock until exit), trivy
#                 (bench/lib/trivy.sh) and $work (removed on exit): sets PITH (a copy in
#                 $work, so a rebuild mid-run cannot change the binary measured), pith_from,
#                 pith_rev, docker_in, oci_in, oci_blob (the layout's one layer blob), TRIVY,
#                 trivy_version.
#   vt_rounds JOB...  one warm-up of each job (outputs kept as $work/warmup-JOB.json; trivy's
#                 runs under strace when it is installed: $net_note says whether it connected
#                 anywhere), then $rounds rounds, odd ones in the given order, even ones
#                 reversed; after each round the floors: SHA-256 of the docker-archive and of the
#                 OCI layer blob (bench_sha256_floor: OpenSSL, the library and the CPU's SHA
#                 extensions pith uses, in pith's 1 MiB reads) and ISA-L inflate of the OCI layer
#                 blob (bench_inflate_floor).
#   vt_report     the table: per input and tool the median wall seconds, median CPU seconds
#                 (user + system), largest peak RSS, trivy/pith, pith/floor, and the goal lines
#                 (issue 14: trivy/pith >= 10, pith/floor <= 1.3 on the docker-archive, pith's
#                 peak RSS <= 1/4 of trivy's).
#
# The floors. docker-archive (one uncompressed layer whose digest is its diff_id): reading and
# hashing the archive once (bench_sha256_floor; `openssl dgst -sha256`, with its 8 KiB reads, takes
# a third longer and would flatter pith): any reader that verifies the layer pays it, on one
# core, since SHA-256 is sequential. OCI layout (gzip layer): the blob's digest, the
# inflate and the diff_id of the inflated bytes must all be computed; on this 2-core machine the
# floor is the larger of the inflate alone (one stream, one core) and the three stages' CPU
# time over 2 cores. Both are printed with their parts.

vt_log() { printf '[bench/%s] %s\n' "$vt_name" "$*" >&2; }
log() { vt_log "$@"; }  # golang-image.sh's messages

vt_setup() {
  for tool in jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y jq time)" >&2; exit 1; }
  done
  local build_dir=${PITH_BUILD_DIR:-$root/build} tmp_log
  tmp_log=$(mktemp)
  if [[ -z ${PITH:-} || -z ${INFLATE_FLOOR:-} || -z ${SHA256_FLOOR:-} ]]; then
    # scripts/build configures and builds every target; once the build directory is configured,
    # building just pith and the floor helper is enough here, and much faster.
    for try in 1 2 3; do
      if [[ -f $build_dir/build.ninja ]] && ninja -C "$build_dir" pith bench_inflate_floor bench_sha256_floor >"$tmp_log" 2>&1; then
        break
      elif "$root/scripts/build" >"$tmp_log" 2>&1; then
        break
      fi
      tail -n 20 "$tmp_log" >&2
      [[ $try == 3 ]] && { echo "building pith failed 3 times" >&2; rm -f "$tmp_log"; exit 1; }
      vt_log "build failed (others may be mid-edit); retrying in 60 s"
      sleep 60
    done
  fi
  rm -f "$tmp_log"
  PITH=${PITH:-$build_dir/src/pith}
  INFLATE_FLOOR=${INFLATE_FLOOR:-$build_dir/bench/bench_inflate_floor}
  SHA256_FLOOR=${SHA256_FLOOR:-$build_dir/bench/bench_sha256_floor}
  [[ -x $PITH ]] || { echo "no pith binary at $PITH" >&2; exit 1; }
  [[ -x $INFLATE_FLOOR ]] || { echo "no floor helper at $INFLATE_FLOOR (ninja -C build bench_inflate_floor, or set INFLATE_FLOOR)" >&2; exit 1; }
  [[ -x $SHA256_FLOOR ]] || { echo "no floor helper at $SHA256_FLOOR (ninja -C build bench_sha256_floor, or set SHA256_FLOOR)" >&2; exit 1; }
  pith_rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo "?")

  # shellcheck source-path=SCRIPTDIR source=golang-image.sh
  source "$root/bench/lib/golang-image.sh"
  golang_image_ensure
  golang_oci_layout_ensure
  docker_in=$golang_docker_tar
  oci_in=$golang_oci_dir
  local manifest
  manifest=$(jq -r '.manifests[0].digest' "$oci_in/index.json" | sed 's|:|/|')
  oci_blob=$oci_in/blobs/$(jq -r '.layers[0].digest' "$oci_in/blobs/$manifest" | sed 's|:|/|')

  # shellcheck source-path=SCRIPTDIR source=trivy.sh
  source "$root/bench/lib/trivy.sh"
  trivy_ensure || exit 1
  trivy_version=$("$TRIVY" --version 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
  vt_log "trivy: $trivy_from, version ${trivy_version:-?}"

  work=$(mktemp -d "$bench_root/work.XXXXXX")
  # BENCH_KEEP=1 keeps the outputs and raw times ($work is printed) instead of removing them.
  if [[ ${BENCH_KEEP:-} == 1 ]]; then vt_log "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
  pith_from=$PITH
  cp "$PITH" "$work/pith"
  PITH=$work/pith
  # PITH_BEFORE: an earlier pith, timed beside the others as tool "before" (its line in the
  # table gives the before/after of a change, measured in the same run).
  if [[ -n ${PITH_BEFORE:-} ]]; then
    [[ -x $PITH_BEFORE ]] || { echo "no pith binary at PITH_BEFORE=$PITH_BEFORE" >&2; exit 1; }
    before_from=$PITH_BEFORE
    cp "$PITH_BEFORE" "$work/pith-before"
    PITH_BEFORE=$work/pith-before
  fi
}

# vt_jobs INPUT...: the jobs for the inputs (docker, oci): pith, trivy, and before with PITH_BEFORE.
vt_jobs() {
  local input tools=(pith trivy) t
  [[ -n ${PITH_BEFORE:-} ]] && tools+=(before)
  for input in "$@"; do for t in "${tools[@]}"; do printf '%s.%s\n' "$t" "$input"; done; done
}

# vt_run JOB TAG [WRAPPER...]: one timed run; its output goes to $work/TAG.json; unless TAG is
# warmup*, appends "wall-seconds peak-KB user-seconds system-seconds" to $work/JOB.times.
vt_run() {
  local job=$1 tag=$2; shift 2
  local out=$work/$tag.json
  rm -rf "$out" "$work/trivy-cache"
  mkdir "$work/trivy-cache"  # fresh and empty for every trivy run
  cmd_stdout=0
  job_cmd "$job" "$out"
  local stdout=/dev/null; [[ $cmd_stdout == 1 ]] && stdout=$out
  if ! "$@" /usr/bin/time -f '%e %M %U %S' -o "$work/time" "${cmd[@]}" >"$stdout" 2>"$work/log"; then
    echo "FAILED: ${cmd[*]}" >&2; cat "$work/log" >&2; exit 1
  fi
  [[ -s $out ]] || { echo "no output from: ${cmd[*]}" >&2; cat "$work/log" >&2; exit 1; }
  [[ $tag == warmup* ]] || tail -n1 "$work/time" >>"$work/$job.times"
}

vt_median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
vt_max() { sort -g | tail -n1; }
# A column of $work/JOB.times: wall, cpu (user + system) or kb.
vt_col() {
  case $2 in
    wall) cut -d' ' -f1 "$work/$1.times" ;;
    kb) cut -d' ' -f2 "$work/$1.times" ;;
    cpu) awk '{print $3 + $4}' "$work/$1.times" ;;
  esac
}
vt_div() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "inf"}'; }
vt_mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1e6}'; }

# floor_time FILE CMD...: appends "wall cpu" of CMD to $work/FILE.
vt_floor_time() {
  local file=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$work/floor.time" "$@" >/dev/null
  awk '{print $1, $2 + $3}' "$work/floor.time" >>"$work/$file"
}

vt_rounds() {
  local jobs=("$@") job r i n inet order
  net_note="not checked (no strace)"
  vt_log "warm-up: one untimed run of each of ${#jobs[@]} commands (outputs kept for the checks)"
  for job in "${jobs[@]}"; do
    if [[ $job == trivy.* ]] && command -v strace >/dev/null; then
      vt_run "$job" "warmup-$job" strace -f -qq -e trace=connect -e signal=none -o "$work/strace-$job"
      # connect() on AF_UNIX/AF_NETLINK is local; anything else would be the network.
      n=$(grep -c 'connect(' "$work/strace-$job" || true)
      inet=$(grep 'connect(' "$work/strace-$job" | grep -c -E 'AF_INET6?' || true)
      [[ $net_note == "not checked"* ]] && net_note=""
      net_note+="${net_note:+; }${job#*.}: $n connect() call(s), $inet to AF_INET/AF_INET6"
    else
      vt_run "$job" "warmup-$job"
    fi
  done
  for ((r = 1; r <= rounds; r++)); do
    vt_log "round $r/$rounds"
    order=("${jobs[@]}")
    if ((r % 2 == 0)); then
      order=(); for ((i = ${#jobs[@]} - 1; i >= 0; i--)); do order+=("${jobs[i]}"); done
    fi
    for job in "${order[@]}"; do vt_run "$job" "round$r-$job"; done
    vt_floor_time floor.sha256-tar "$SHA256_FLOOR" "$docker_in"
    vt_floor_time floor.sha256-gz "$SHA256_FLOOR" "$oci_blob"
    "$INFLATE_FLOOR" "$oci_blob" | cut -d' ' -f1 >>"$work/floor.inflate"
  done
}

vt_report() {
  local docker_mb oci_mb
  docker_mb=$(vt_mb "$(stat -c %s "$docker_in")")
  oci_mb=$(vt_mb "$(stat -c %s "$oci_blob")")
  local f_tar f_tar_cpu f_gz_cpu f_inflate f_oci
  f_tar=$(cut -d' ' -f1 "$work/floor.sha256-tar" | vt_median)
  f_tar_cpu=$(cut -d' ' -f2 "$work/floor.sha256-tar" | vt_median)
  f_gz_cpu=$(cut -d' ' -f2 "$work/floor.sha256-gz" | vt_median)
  f_inflate=$(vt_median <"$work/floor.inflate")
  f_oci=$(awk -v i="$f_inflate" -v g="$f_gz_cpu" -v t="$f_tar_cpu" \
    'BEGIN {c = (i + g + t) / 2; printf "%.2f", (i > c) ? i : c}')
  echo "  inputs: docker-archive $docker_mb MB (one uncompressed layer); OCI layout: its layer gzip-compressed by skopeo copy, $oci_mb MB"
  echo "  pith: $pith_from (git $pith_rev); trivy: $trivy_from, version ${trivy_version:-?}"
  [[ -z ${PITH_BEFORE:-} ]] || echo "  before: $before_from (an earlier pith, for comparison)"
  echo "  $rounds round(s) after a warm-up; medians; trivy/pith > 1: pith faster; pith/floor: pith's median wall time over the floor's"
  printf '%-6s %-15s %9s %8s %12s %11s %11s   %s\n' tool input "median s" "CPU s" "peak RSS MB" trivy/pith pith/floor "(min-max s)"
  local input label pm tm floor t m kb range ratio pf tools=(pith trivy)
  [[ -n ${PITH_BEFORE:-} ]] && tools+=(before)
  for input in docker oci; do
    label=docker-archive floor=$f_tar
    [[ $input == oci ]] && label="oci layout" floor=$f_oci
    pm=$(vt_col "pith.$input" wall | vt_median)
    tm=$(vt_col "trivy.$input" wall | vt_median)
    for t in "${tools[@]}"; do
      m=$(vt_col "$t.$input" wall | vt_median)
      kb=$(vt_col "$t.$input" kb | vt_max)
      range=$(vt_col "$t.$input" wall | sort -g | sed -n '1p;$p' | paste -sd-)
      ratio="" pf=""
      [[ $t != trivy ]] && ratio=$(vt_div "$tm" "$m") pf=$(vt_div "$m" "$floor")
      printf '%-6s %-15s %9.2f %8.2f %12.1f %11s %11s   (%s)\n' "$t" "$label" "$m" \
        "$(vt_col "$t.$input" cpu | vt_median)" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" "$ratio" "$pf" "$range"
    done
  done
  echo "floors (medians): docker-archive: SHA-256 of the $docker_mb MB archive (bench_sha256_floor: 1 MiB reads hashed on one core) ${f_tar} s wall, ${f_tar_cpu} s CPU"
  echo "  oci layout: ${f_oci} s = max(ISA-L inflate of the $oci_mb MB blob ${f_inflate} s (one core; bench_inflate_floor), (inflate + SHA-256 of the blob ${f_gz_cpu} s + SHA-256 of the tar ${f_tar_cpu} s) / 2 cores)"
  # The goals of issue 14, on the docker-archive (and shown for the OCI layout).
  local verdict ok=1 pkb tkb speed pfloor mem
  for input in docker oci; do
    label=docker-archive floor=$f_tar
    [[ $input == oci ]] && label="oci layout" floor=$f_oci
    pm=$(vt_col "pith.$input" wall | vt_median)
    tm=$(vt_col "trivy.$input" wall | vt_median)
    pkb=$(vt_col "pith.$input" kb | vt_max)
    tkb=$(vt_col "trivy.$input" kb | vt_max)
    speed=$(vt_div "$tm" "$pm") pfloor=$(vt_div "$pm" "$floor") mem=$(vt_div "$tkb" "$pkb")
    verdict=$(awk -v s="$speed" -v f="$pfloor" -v m="$mem" 'BEGIN {
      printf "%s %s %s", (s >= 10) ? "met" : "MISSED", (f <= 1.3) ? "met" : "MISSED", (m >= 4) ? "met" : "MISSED" }')
    read -r v1 v2 v3 <<<"$verdict"
    echo "goals ($label): $speed x faster than trivy (>= 10: $v1); $pfloor x the floor (<= 1.3: $v2); peak RSS 1/$mem of trivy's (<= 1/4: $v3)"
    [[ $input == docker && $verdict == *MISSED* ]] && ok=0
  done
  echo "network: trivy $net_note"
  [[ -z ${trivy_note:-} ]] || echo "note: trivy binary $trivy_note"
  vt_goals_met=$ok
}
