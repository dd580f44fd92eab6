#!/usr/bin/env bash
#
# test/suites/26-hostile-json.sh -- vendor JSON is untrusted: the cases of
# the "production safety" issue about JSON, against the shared cluster of
# test/run-tests.sh and the hostile vendor of test/hostile/server.py (its
# "JSON strictness" block).  Every case is read twice where it matters: row
# by row from the raw bytes (the fast path) and from json-c's whole tree
# (the "-tree" variant, whose rows carry a member only json-c reads).
#
#    1. numbers reach integer columns exactly or fail: an integral value
#       written 12.0, 1.2e1 or 9007199254740993.0 is that integer, exactly;
#       0.5 and 0.9999999999999999999 are 22003 naming the column and the
#       vendor's text; text, numeric and jsonb keep the vendor's digits
#    2. a key containing \u0000 (which json-c would cut short, overriding
#       the real key) is an error: in rows, in count, in jsonb columns
#    3. raw control characters in strings (keys included) and leading
#       zeros in numbers (01, -01, 00.5) are errors, as RFC 8259 says
#    4. a field holding an array of small objects costs at most 64 times
#       its bytes, as text and as jsonb, or is refused at once
#    5. a repeat served by the response cache (which keeps the first
#       check's verdict with the bytes, not scanning them again) gives the
#       same values and the same errors as the network: failed answers are
#       never kept, so their repeat is checked, and fails, again
set -uo pipefail

: "${PGHOST:?run from test/run-tests.sh}" "${RF_TMP:?}" "${RF_REPO:?}"
DB=rf_hostile_json
# shellcheck source=test/suite-lib.sh
. "$(dirname "$0")/../suite-lib.sh"
PY=${RF_PYTHON:-python3}

# ---------------------------------------------------------------- set-up
HDIR=$RF_TMP/hostile-json
mkdir -p "$HDIR"
rm -f "$HDIR/port"
"$PY" "$RF_REPO/test/hostile/server.py" --port-file "$HDIR/port" >"$HDIR/server.log" 2>&1 &
HPID=$!
cleanup() {
    kill "$HPID" 2>/dev/null || true
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$HDIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$HDIR/port")
H=http://127.0.0.1:$PORT
echo "# hostile vendor at $H"

# run SQL...: statements in $DB, errors with their SQLSTATE, never aborting
run() { psql -X -q -At -d "$DB" -v VERBOSITY=verbose "$@" 2>&1; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

RANGE="event_start >= '2025-08-12' AND event_start < '2025-08-13'"
NUMS="big-dot big-exp near-one twelve-dot twelve-exp tiny-exp half int8-past huge-exp zero-exp"
LEADS="zero-one minus-zero-one zero-zero-half"
CTLS="value tab key nested"

# table NAME [OPTIONS]: a server on /h/NAME (no retries) and table t_NAME
# reading "value" as every type; with OPTIONS (", cache_ttl ..."), server
# hc_NAME and table tc_NAME
table() {
    local s=${1//-/_} h=h t=t
    [ -n "${2:-}" ] && { h=hc; t=tc; }
    echo "CREATE SERVER ${h}_$s FOREIGN DATA WRAPPER retail_fdw
            OPTIONS (vendor 'journey', base_url '$H/h/$1', max_retries '0'${2:-});
          CREATE USER MAPPING FOR CURRENT_USER SERVER ${h}_$s OPTIONS (token 'hostile-token');
          CREATE FOREIGN TABLE ${t}_$s (event_start timestamptz, session_id text,
            v_int2 smallint OPTIONS (json_path 'value'),
            v_int4 integer OPTIONS (json_path 'value'),
            v_int8 bigint OPTIONS (json_path 'value'),
            v_numeric numeric OPTIONS (json_path 'value'),
            v_text text OPTIONS (json_path 'value'),
            v_jsonb jsonb OPTIONS (json_path 'value'))
            SERVER ${h}_$s OPTIONS (resource 'visit_journey_events');"
}
# cases also read through the response cache (section 5)
CACHED="jshape jshape-tree jnum-big-dot jnum-twelve-exp jnum-near-one jnum-zero-exp jlead-zero-one jctl-value jkey-row"
{
    echo "SET client_min_messages = warning; CREATE EXTENSION retail_fdw;"
    for t in "" -tree; do
        for k in $NUMS; do table "jnum-$k$t"; done
        for k in $LEADS; do table "jlead-$k$t"; done
        for k in $CTLS; do table "jctl-$k$t"; done
        table "jkey-row$t"
        table "jkey-jsonb$t"
        table "jshape$t"
    done
    table jkey-count
    table jext-squote
    table jext-comment
    for n in 12 16 20 20-tree 32 ints strs; do table "jmem-$n"; done
    for k in $CACHED; do table "$k" ", cache_ttl '1 hour'"; done
} | "${PSQL[@]}" >/dev/null || { echo "not ok - set-up failed"; exit 1; }

sel() { run -c "SELECT $2 FROM t_${1//-/_} WHERE $RANGE"; }

# ---------------------------------------------------------------- 1. numbers
for t in "" -tree; do
    how=${t:+" (json-c tree)"}
    out=$(sel "jnum-big-dot$t" "v_int8, v_text, v_numeric, v_jsonb")
    check "9007199254740993.0 is 9007199254740993 in bigint, digits kept in text, numeric, jsonb$how ($out)" \
        [ "$out" = "9007199254740993|9007199254740993.0|9007199254740993.0|9007199254740993.0" ]
    out=$(sel "jnum-big-exp$t" "v_int8, v_text, v_jsonb = '9007199254740993'::jsonb")
    check "9.007199254740993e15 is 9007199254740993 in bigint, text keeps it$how ($out)" \
        [ "$out" = "9007199254740993|9.007199254740993e15|t" ]
    for k in twelve-dot twelve-exp tiny-exp; do
        out=$(sel "jnum-$k$t" "v_int2, v_int4, v_int8")
        check "$k is exactly 12 in smallint, integer and bigint$how ($out)" [ "$out" = "12|12|12" ]
    done
    for k in near-one half; do
        for c in v_int2 v_int4 v_int8; do
            out=$(sel "jnum-$k$t" "$c")
            check "$k into $c is 22003 naming the column and the vendor's value$how" \
                eval 'has "$out" "ERROR:  22003" && has "$out" "\"$c\"" && grep -qE "0\\.(5|9999999999999999999)" <<<"$out"'
        done
        out=$(sel "jnum-$k$t" "v_numeric, v_text")
        check "$k keeps its digits in numeric and text$how ($out)" \
            eval '[ "$out" = "0.5|0.5" ] || [ "$out" = "0.9999999999999999999|0.9999999999999999999" ]'
    done
    out=$(sel "jnum-int8-past$t" v_int8)
    check "9223372036854775808.0 into bigint is 22003$how" has "$out" "ERROR:  22003"
    out=$(sel "jnum-huge-exp$t" v_int8)
    check "1e1000000000 into bigint is 22003$how" has "$out" "ERROR:  22003"
    out=$(sel "jnum-zero-exp$t" "v_int4, v_text")
    check "0e1000000000 is 0 in integer$how ($out)" [ "$out" = "0|0e1000000000" ]
done

# jsonb is written straight from the parsed value: the same as jsonb_in's
for t in "" -tree; do
    how=${t:+" (json-c tree)"}
    out=$(sel "jshape$t" "v_jsonb = v_text::jsonb, v_jsonb::text = v_text::jsonb::text,
        v_jsonb->>'dup', v_jsonb->'k31', v_jsonb->'list'->69->>'s', jsonb_array_length(v_jsonb->'list'),
        v_jsonb->>'big', v_jsonb->'dec', v_jsonb @> '{\"deep\": {\"a\": [1]}}', v_jsonb->>'esc' = E'q\"b\\\\n\\n\\t\\u00e9\\U0001F600/'")
    check "jsonb of every JSON kind equals jsonb_in's of its text$how ($out)" \
        [ "$out" = "t|t|last|31|x69|70|123456789012345678901234567890|9007199254740993.0|t|t" ]
done

# ---------------------------------------------------------------- 2. keys with \u0000
for t in "" -tree; do
    how=${t:+" (json-c tree)"}
    out=$(sel "jkey-row$t" session_id)
    check "\"session_id\\u0000x\" does not override session_id: 22032$how" \
        eval 'has "$out" "ERROR:  22032" && ! grep -qx fake <<<"$out"'
    check "...and the error says why$how" has "$out" 'a key containing \u0000'
    out=$(sel "jkey-jsonb$t" v_jsonb)
    check "a key with \\u0000 inside a jsonb value is 22032$how" \
        eval 'has "$out" "ERROR:  22032" && ! has "$out" "\"a\": 2"'
done
out=$(sel jkey-count "count(*)")
check "\"count\\u0000x\" does not override count: 22032, not a short answer" \
    eval 'has "$out" "ERROR:  22032" && ! grep -qx 2 <<<"$out"'

for k in squote comment; do
    out=$(sel "jext-$k" session_id)
    check "json-c's $k extension, behind which a \\u0000 key could hide, is 22032" \
        eval 'has "$out" "ERROR:  22032" && ! grep -qx fake <<<"$out" && has "$out" "single quotes or comments"'
done

# ---------------------------------------------------------------- 3. RFC 8259
for t in "" -tree; do
    how=${t:+" (json-c tree)"}
    for k in $CTLS; do
        col=v_text
        [ "$k" = nested ] && col=v_jsonb
        out=$(sel "jctl-$k$t" "$col")
        check "a raw control character ($k) is 22032$how" has "$out" "ERROR:  22032"
        check "...saying so$how" has "$out" "control character"
    done
    out=$(sel "jctl-value$t" "session_id")
    check "...even when no column reads that field$how" has "$out" "ERROR:  22032"
    for k in $LEADS; do
        for c in v_int4 v_numeric v_text v_jsonb; do
            out=$(sel "jlead-$k$t" "$c")
            check "a leading zero ($k) into $c is 22032$how" has "$out" "ERROR:  22032"
        done
        check "...saying so$how" has "$out" "leading zero"
    done
done

# ---------------------------------------------------------------- 4. memory
# peak RSS of a fresh session reading one row whose "value" (about 2 MB) is
# an array of N-byte objects (or of small numbers, of empty strings),
# against the body's size: the densest shape json-c may be given (20-byte
# objects) at most 64x, denser ones refused at once
for n in 12 16 20 20-tree 32 ints strs; do
    case $n in
        ints) what="small numbers" ;;
        strs) what="empty strings" ;;
        *-tree) what="${n%-tree}-byte objects (json-c tree)" ;;
        *) what="$n-byte objects" ;;
    esac
    body=$("$PY" -c "import urllib.request; print(len(urllib.request.urlopen('$H/h/jmem-$n/x').read()))")
    for c in "length(v_text)" "jsonb_array_length(v_jsonb)"; do
        out=$(run <<SQL
SELECT pg_backend_pid() AS pid \gset
SELECT 'hwm0 ' || (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1];
SELECT 'len ' || $c FROM t_jmem_${n//-/_} WHERE $RANGE;
SELECT 'hwm1 ' || (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\s+(\d+)'))[1];
SQL
)
        h0=$(sed -n 's/^hwm0 //p' <<<"$out")
        h1=$(sed -n 's/^hwm1 //p' <<<"$out")
        ratio=$(( (${h1:-999999} - ${h0:-0}) * 1024 * 10 / body ))
        ratio="$((ratio / 10)).$((ratio % 10))"
        if has "$out" "ERROR:  "; then
            err=$(grep -o 'ERROR:  [0-9A-Z]*' <<<"$out" | head -1)
            echo "# $what, $c: refused ($err), peak ${ratio}x the body's $body bytes"
            check "$what as ${c%%(*}: refused at once with 54000 (${ratio}x)" \
                eval 'has "$err" 54000 && [ "${ratio%.*}" -lt 16 ] && [ "${n%-tree}" != 20 ]'
        else
            echo "# $what, $c: read, peak ${ratio}x the body's $body bytes"
            check "$what as ${c%%(*}: at most 64x the body (${ratio}x)" \
                eval 'has "$out" "len " && [ "${ratio%.*}" -lt 64 ]'
        fi
    done
done

# ---------------------------------------------------------------- 5. cached repeats
# each case read from the network (t_), then twice through the cache
# (tc_: the first fills it, the second is served from it), every column
for k in $CACHED; do
    cols="event_start, session_id, v_int8, v_numeric, v_text, v_jsonb"
    case $k in
        jnum-near-one) cols="v_int2, v_text" ;; # 22003, from the cached bytes too
        jshape*) cols="event_start, v_text, v_jsonb" ;;
    esac
    s=${k//-/_}
    want=$(run -c "SELECT $cols FROM t_$s WHERE $RANGE")
    # messages name the table: the cached twin's as the other's
    fill=$(run -c "SELECT $cols FROM tc_$s WHERE $RANGE" | sed 's/\btc_/t_/g; s/\bhc_/h_/g')
    again=$(run -c "SELECT $cols FROM tc_$s WHERE $RANGE" | sed 's/\btc_/t_/g; s/\bhc_/h_/g')
    check "$k: a cached repeat gives what the network gave (${want:0:60})" \
        eval '[ -n "$want" ] && [ "$fill" = "$want" ] && [ "$again" = "$want" ]'
done
out=$(run -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
              SELECT v_int8 FROM tc_jnum_twelve_exp WHERE $RANGE")
check "...the repeats were served by the cache (EXPLAIN ANALYZE: a hit)" has "$out" "Cache hits: 1"

echo "# $FAILS failed"
exit "$FAILS"
