#!/usr/bin/env bash
# Mutation testing of the numbers core: how much of it the tests actually pin.
#
#   bash scripts/mutation.sh                     # every module below
#   bash scripts/mutation.sh arithmetic csvread  # some of them
#
# mutmut (pinned below; installed into .tools/mutmut, its own venv, not the project's locked
# dependencies) changes one thing at a time in a module (a + for a -, 100 for 101, `break` for
# `continue`, a value for None) and runs that module's own unit test files (-m unit: no site is
# built, so a mutant costs seconds): a change no test notices is a survivor. Every mutant mutmut
# did not see killed is run again, one at a time, on the pristine file, and is killed when any
# test fails. It all runs on a copy of the last commit (git archive HEAD) in a temporary folder,
# never on the working tree (mutmut edits the file it mutates).
#
# It prints, per module, the mutants, the killed ones (a test failed, or the run timed out), the
# score, and the lines marked `# pragma: no mutate` (allowed on message text only), and writes each
# module's surviving mutants as diffs to .tools/mutation/MODULE.survivors.txt.
#
# Slow by design (each mutant is a pytest run, ~800 mutants in all: an hour or more on two cores);
# it is not part of the test suite.
set -euo pipefail

MUTMUT_VERSION=2.5.1
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
TOOL="$ROOT/.tools/mutmut"
OUT="$ROOT/.tools/mutation"

# module → its source file and the test files that are meant to pin it
declare -A SOURCE=(
  [arithmetic]=broadsheet/figures/arithmetic.py
  [functions]=broadsheet/figures/functions.py
  [ranges]=broadsheet/figures/ranges.py
  [calendars]=broadsheet/data/calendars.py
  [csvread]=broadsheet/data/csvread.py
  [typed_numbers]=broadsheet/checks/typed_numbers.py
  [typed_number_claims]=broadsheet/checks/typed_number_claims.py
)
FIGURE_TESTS="tests/test_figure_numbers.py tests/test_figures.py tests/test_oracle.py"
declare -A TESTS=(
  [arithmetic]="$FIGURE_TESTS"
  [functions]="$FIGURE_TESTS tests/test_range_figures.py"
  [ranges]="tests/test_figure_numbers.py tests/test_range_figures.py tests/test_oracle.py"
  [calendars]="tests/test_calendar_days.py tests/test_calendars.py tests/test_oracle.py"
  [csvread]="tests/test_csvread.py"
  [typed_numbers]="tests/test_typed_number_lint.py tests/test_value_lint.py"
  [typed_number_claims]="tests/test_typed_number_lint.py tests/test_value_lint.py"
)
ORDER=(arithmetic functions ranges calendars csvread typed_numbers typed_number_claims)

modules=("$@")
[ ${#modules[@]} -eq 0 ] && modules=("${ORDER[@]}")
for module in "${modules[@]}"; do
  if [ -z "${SOURCE[$module]:-}" ]; then
    echo "scripts/mutation.sh: unknown module '$module' (known: ${ORDER[*]})" >&2
    exit 2
  fi
done

installed="$("$TOOL/bin/pip" show mutmut 2>/dev/null || true)"
if ! grep -qx "Version: $MUTMUT_VERSION" <<<"$installed"; then
  echo "installing mutmut $MUTMUT_VERSION into .tools/mutmut" >&2
  python3 -m venv "$TOOL"
  "$TOOL/bin/pip" install -q "mutmut==$MUTMUT_VERSION"
fi

WORK="$(mktemp -d /tmp/broadsheet-mutation.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" archive HEAD | tar -xf - -C "$WORK"
mkdir -p "$OUT"
export PYTHONDONTWRITEBYTECODE=1  # a mutant of the same size in the same second must not run a stale .pyc

rows=()
for module in "${modules[@]}"; do
  src="${SOURCE[$module]}"
  tests="${TESTS[$module]}"
  for test in $tests; do
    [ -f "$WORK/$test" ] || { echo "scripts/mutation.sh: $test is missing" >&2; exit 2; }
  done
  echo "== $module: $src against $tests" >&2
  rm -f "$WORK/.mutmut-cache"
  cp "$WORK/$src" "$WORK/.pristine"
  # -x: the first failing test kills the mutant; the copy's
  # broadsheet/ comes first on sys.path (python -m puts the working folder there)
  runner="$PY -m pytest -p no:cacheprovider -x -q -n 0 -m unit $tests"
  (cd "$WORK" && "$TOOL/bin/mutmut" run --paths-to-mutate "$src" --tests-dir tests --runner "$runner" \
     --no-progress >"$OUT/$module.log" 2>&1) || true  # mutmut exits non-zero when a mutant survives
  # mutmut 2 counts only exit status 1 as a kill (a mutant that breaks the tests' import gives 2)
  # and its look-ahead process can read the file while a mutant is applied (it then stops or
  # skips mutants): every mutant it did not see killed is run again here, one at a time, on the
  # pristine file, and any failing run (any non-zero exit) kills it.
  cp "$WORK/.pristine" "$WORK/$src"  # as mutmut should have left it
  ids="$(cd "$WORK" && "$PY" -c "
import sqlite3
for (i,) in sqlite3.connect('.mutmut-cache').execute(
        \"select id from Mutant where status not in ('ok_killed', 'bad_timeout', 'ok_suspicious') order by id\"):
    print(i)")"
  total="$(cd "$WORK" && "$PY" -c "import sqlite3; print(sqlite3.connect('.mutmut-cache').execute('select count(*) from Mutant').fetchone()[0])")"
  survived=0
  unapplied=0
  echo "# $module ($src): surviving mutants" >"$OUT/$module.survivors.txt"
  for id in $ids; do
    cp "$WORK/.pristine" "$WORK/$src"
    if ! (cd "$WORK" && "$TOOL/bin/mutmut" apply "$id" >/dev/null 2>&1) || cmp -s "$WORK/.pristine" "$WORK/$src"; then
      unapplied=$((unapplied + 1))  # not counted as killed: left out of the total
      continue
    fi
    if (cd "$WORK" && $runner >/dev/null 2>&1); then
      survived=$((survived + 1))
      cp "$WORK/$src" "$WORK/.mutant"
      diff -u --label "$src" --label "$src (mutant $id)" "$WORK/.pristine" "$WORK/.mutant" \
        >>"$OUT/$module.survivors.txt" || true
    fi
  done
  cp "$WORK/.pristine" "$WORK/$src"
  total=$((total - unapplied))
  killed=$((total - survived))
  [ "$unapplied" -gt 0 ] && echo "   $unapplied mutants could not be applied again (left out)" >&2
  pragmas="$(grep -c "pragma: no mutate" "$WORK/$src" || true)"
  if [ "$total" -gt 0 ]; then score=$((100 * killed / total)); else score=0; fi
  rows+=("| $module | $total | $killed | $score% | $pragmas |")
  echo "   $module: $killed of $total killed ($score%), $survived survived" >&2
done

echo
echo "| module | mutants | killed | score | lines with pragma: no mutate |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "survivors: .tools/mutation/MODULE.survivors.txt"
