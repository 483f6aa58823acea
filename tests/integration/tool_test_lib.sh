# Shell helpers of the tool tests (test_*_tool.sh source this): checks that
# count failures in $fails, the CI rule for a lab that cannot be built, and
# reading numbers out of the tools' one-line JSON.

fails=0

cannot() {	# cannot REASON: the lab cannot be built; fail under CI=true, else skip
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (CI=true: a test that cannot build its lab fails)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}

json_num() {	# json_num KEY FILE -> the number after the first "KEY":
	grep -o "\"$1\":[0-9]*" "$2" | head -n1 | cut -d: -f2
}
