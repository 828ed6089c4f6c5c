"""Reference data (PTj, staff, course, the seven runs) under the real cyber-security exports, for page tests."""

from __future__ import annotations

STARTS = ["2016-05-16", "2017-01-30", "2017-09-18", "2017-11-06", "2018-03-05", "2018-05-14", "2018-09-10"]


def reference_rows() -> dict[str, list[list[str]]]:
    return {
        "ptj": [["FSKTM", "Faculty of Computer Science and Information Technology",
                 "Fakulti Sains Komputer dan Teknologi Maklumat", "faculty"]],
        "staff": [["S0001", "Dr. Aminah Binti Yusof", "FSKTM", "DS52", "active", ""]],
        "courses": [["MOOC-FSKTM-CYBER", "Cyber Security: Safety at Home, Online", "FSKTM", "3", "mooc", "odl",
                     "100", "B1", "futurelearn", "0", "12", "0.00", "49.00", "S0001", "immediate", "2016-03-01"]],
        "course_runs": [[f"MOOC-FSKTM-CYBER-{n}", "MOOC-FSKTM-CYBER", STARTS[n - 1], "3", f"cyber-security-{n}"]
                        for n in range(1, 8)],
    }
