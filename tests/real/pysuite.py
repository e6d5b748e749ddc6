"""Compare two JUnit XML files written by Python's test runner (regrtest
--junit-xml): one run under the C library's malloc, one under libmm.

    pysuite.py GLIBC.xml LIBMM.xml

Prints one "ok - " or "FAIL - " line per test module: a module fails when a
test that passed under glibc did not pass under libmm, when libmm ran fewer
of its tests, or when either file is missing or unreadable.
"""
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """{module: {test: passed?}} for every test case in the file."""
    result = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        parts = name.split(".")
        module = parts[1] if len(parts) > 2 and parts[0] == "test" else parts[0]
        bad = any(child.tag in ("failure", "error") for child in case)
        skipped = case.get("status") == "skipped" or any(
            child.tag == "skipped" for child in case)
        result.setdefault(module, {})[name] = not bad and not skipped
    return result


def main(glibc_xml, libmm_xml, modules):
    try:
        glibc, libmm = outcomes(glibc_xml), outcomes(libmm_xml)
    except (OSError, ET.ParseError) as e:
        print(f"FAIL - python suite: results unreadable ({e})")
        return
    for module in modules:
        g, m = glibc.get(module, {}), libmm.get(module, {})
        lost = [t for t, ok in g.items() if ok and not m.get(t, False)]
        passed = sum(1 for ok in m.values() if ok)
        if not g:
            print(f"FAIL - python suite: {module}: no results under glibc")
        elif lost:
            print(f"FAIL - python suite: {module}: {len(lost)} tests pass "
                  f"under glibc but not under libmm, e.g. {lost[0]}")
        else:
            print(f"ok - python suite: {module}: {passed} tests pass under "
                  f"libmm, as under glibc ({len(m) - passed} skipped)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
