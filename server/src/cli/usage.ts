/** A mistake in the command line: reported with the usage text, exit status 2. */
export class UsageError extends Error {}

export const USAGE = `usage: pypy-bindings <command> [options]

commands:
  check PATH...            lint Python files (and C sources for PB103), recursively
      --output-format FMT  text (default: findings with their source line), concise (path:line:col: CODE
                           message), json, github (workflow commands), sarif (2.1.0), junit
                           (--format is an alias)
      --select CODES       rule codes or prefixes to report, comma-separated (replaces pyproject's select)
      --extend-select CODES  add to the selected rules
      --ignore CODES       rule codes or prefixes not to report
      --fix                apply the safe fixes in place, then report what is left
      --unsafe-fixes       apply the unsafe fixes too (with --fix or --diff)
      --diff               print the fixes as a unified diff instead of writing them (exit 1 if any)
      --statistics         print a count per rule code instead of the findings
      --exit-zero          exit 0 even when findings are reported
      -q, --quiet          print findings only (no summary)
  convert FILE             print FILE with its ctypes bindings rewritten as cffi
  convert PATH...          files and folders: the modules of one binding converted together
                           (a unified diff unless --write)
      --write              rewrite the file(s) in place
      --diff               print a unified diff instead
      --mode abi-inline|api-outofline
  report PATH...           a PyPy readiness report (Markdown) per package and module
      --html               a self-contained HTML page with a chart instead
      -o, --output FILE    write it to FILE rather than stdout
  lsp --stdio              run the language server on stdin/stdout

exit status (as ruff's): check 0 when no error or warning is reported, 1 when some is (0 with --exit-zero),
2 for usage errors and failures.`;
