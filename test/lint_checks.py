#!/usr/bin/env python3
"""Lint the shell suites' use of check (test/suite-lib.sh).

`check MSG CMD...` runs CMD and counts its exit status.  Written as
`check MSG [ a ] && [ b ]`, the shell runs `check MSG [ a ]` and then
`[ b ]` outside it: the second part asserts nothing.  This lint reads every
test/suites/*.sh and fails on a check statement with &&, ||, |, ; or & at
its top level (outside quotes and $(...)); the fix is
`check MSG eval '[ a ] && [ b ]'` or a function.  It also fails on a check
with no command at all.  Run by test/run-tests.sh; exit 1 on any finding.
"""

import glob
import os
import sys


def scan(text):
    """Read text as the shell would, enough for this lint: quotes, $(...)
    and `...` nest; returns (top-level operators found, open) where open
    says the text ends inside a quote or substitution."""
    ops = []
    stack = []                      # "'", '"', "(" or "`" currently open
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        top = stack[-1] if stack else None
        if top == "'":
            if c == "'":
                stack.pop()
        elif c == "\\":
            i += 1                  # the next character is literal
        elif top == '"':
            if c == '"':
                stack.pop()
            elif text.startswith("$(", i):
                stack.append("(")
                i += 1
            elif c == "`":
                stack.append("`")
        elif top == "`" and c == "`":
            stack.pop()
        elif c == "'":
            stack.append("'")
        elif c == '"':
            stack.append('"')
        elif c == "`":
            stack.append("`")
        elif c == "(":
            stack.append("(")
        elif c == ")" and top == "(":
            stack.pop()
        elif not stack and c == "&" and (text[i - 1:i] in (">", "<") or text[i + 1:i + 2] == ">"):
            pass                    # a redirection: 2>&1, &>file
        elif not stack and c in "&|;":
            op = text[i:i + 2] if text[i:i + 2] in ("&&", "||") else c
            ops.append(op)
            i += len(op) - 1
        elif not stack and c == "#" and (i == 0 or text[i - 1].isspace()):
            break                   # a comment
        i += 1
    return ops, bool(stack)


def statements(lines):
    """(line number, text) of each check statement: continuations and
    quotes or substitutions that span lines joined."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("check "):
            start = i
            text = line
            while i + 1 < len(lines):
                ops, still_open = scan(text)
                if text.rstrip().endswith("\\") and not still_open:
                    text = text.rstrip()[:-1] + " " + lines[i + 1]
                elif still_open:
                    text = text + "\n" + lines[i + 1]
                else:
                    break
                i += 1
            yield start + 1, text
        i += 1


def findings(text):
    ops, still_open = scan(text)
    if still_open:
        return ["cannot be read (a quote or $( is never closed)"]
    if ops:
        return ["'%s' outside the check: only what stands before it is asserted" % ops[0]]
    if len(text.split()) < 3:
        return ["no command to check"]
    return []


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "suites")
    bad = 0
    files = sorted(glob.glob(os.path.join(root, "*.sh")))
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for lineno, text in statements(lines):
            for msg in findings(text):
                bad += 1
                print("%s:%d: %s" % (os.path.relpath(path), lineno, msg))
    print("lint of check statements: %d files, %d findings" % (len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
