# shellcheck shell=bash
#
# test/suite-lib.sh -- what the shell suites in test/suites/ share.  Source
# it after setting DB; it defines:
#
#   ok MSG / notok MSG       print "ok - MSG" / "not ok - MSG" (counts FAILS)
#   check MSG CMD...         ok or notok by CMD's exit status
#   q SQL                    one statement in $DB, unaligned, tuples only
#   has TEXT NEEDLE          whether TEXT contains NEEDLE (fixed string)
#
# A suite ends with: exit "$FAILS"

FAILS=0
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB")

ok() { printf 'ok - %s\n' "$*"; }
notok() { printf 'not ok - %s\n' "$*"; FAILS=$((FAILS + 1)); }
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else notok "$what"; fi
}
q() { "${PSQL[@]}" -c "$1"; }
has() { grep -qF -- "$2" <<<"$1"; }
