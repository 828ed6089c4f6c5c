"""English and Malay words of the dashboard: `TEXT = {key: {"en": ..., "ms": ...}}` and `t(key)`.

KPI titles and definitions are not here: they come from each KPI file's header (title_ms, definition_ms), so a
definition is written once, next to its SQL. Everything else a user reads is here, in both languages.
"""

from __future__ import annotations

import re
from typing import Any

LANGS: tuple[str, ...] = ("en", "ms")
LANG_NAMES = {"en": "English", "ms": "Bahasa Melayu"}
DEFAULT_LANG = "en"

# (English, Malay). Kept as pairs so a missing translation is a syntax error, not a silent gap.
_PAIRS: dict[str, tuple[str, str]] = {
    # --- frame --------------------------------------------------------------------------------------------
    "lang.label": ("Language / Bahasa", "Bahasa / Language"),
    "demo.label": (
        "**Demo mode — demo data.** These figures are generated, not the university's real figures.",
        "**Mod demo — data demo.** Angka ini dijana, bukan angka sebenar universiti.",
    ),
    "demo.badge": ("Demo data", "Data demo"),
    "source.label": ("Data", "Data"),
    "source.live": ("Live data (latest refresh)", "Data semasa (kemas kini terkini)"),
    "source.snapshot": ("Snapshot: {label}", "Salinan beku: {label}"),
    "source.banner": (
        "**Frozen snapshot “{label}”**, taken {taken} from ETL run {run}: the figures as submitted, not live data.",
        "**Salinan beku “{label}”**, diambil pada {taken} daripada larian ETL {run}: angka seperti yang dihantar,"
        " bukan data semasa.",
    ),
    "nav.dashboards": ("Dashboards", "Papan pemuka"),
    "nav.about_data": ("About the data", "Mengenai data"),
    "page.overview": ("Overview", "Gambaran keseluruhan"),
    "page.ministry": ("Ministry KPIs", "KPI Kementerian"),
    "page.revenue": ("Revenue", "Hasil"),
    "page.completion": ("Completion", "Penyempurnaan"),
    "page.workload": ("Lecturer workload", "Beban tugas pensyarah"),
    "page.insights": ("Course insights", "Wawasan kursus"),
    "page.pathways": ("Pathways", "Laluan"),
    "page.compare": ("Compare courses", "Bandingkan kursus"),
    "page.freshness": ("Data freshness", "Kesegaran data"),
    "page.definitions": ("KPI definitions", "Definisi KPI"),
    # --- filters ------------------------------------------------------------------------------------------
    "filters.header": ("Filters", "Penapis"),
    "filters.year": ("Year", "Tahun"),
    "filters.all_years": ("All years", "Semua tahun"),
    "filters.ptj": ("PTj", "PTj"),
    "filters.mqa": ("MQA category", "Kategori MQA"),
    "filters.mode": ("Mode of delivery", "Mod penyampaian"),
    "filters.platform": ("Platform", "Platform"),
    "filters.mc_type": ("MC type", "Jenis MC"),
    "filters.any": ("All", "Semua"),
    "filters.clear": ("Clear filters", "Kosongkan penapis"),
    "filters.share_hint": (
        "The page address keeps these filters: copy it to share this view.",
        "Alamat halaman menyimpan penapis ini: salin untuk berkongsi paparan ini.",
    ),
    "filters.ignored": (
        "Ignored in the link (unknown or invalid): {items}.",
        "Diabaikan dalam pautan (tidak dikenali atau tidak sah): {items}.",
    ),
    "filters.active": ("Filters: {items}", "Penapis: {items}"),
    # --- data state ---------------------------------------------------------------------------------------
    "wh.missing": (
        "The data warehouse has not been built yet. Load data first: `mckpi demo` then `mckpi etl` "
        "(or `make run` for demo data).",
        "Gudang data belum dibina. Muatkan data dahulu: `mckpi demo` kemudian `mckpi etl` "
        "(atau `make run` untuk data demo).",
    ),
    "wh.unreadable": (
        "The data warehouse could not be read: {error}",
        "Gudang data tidak dapat dibaca: {error}",
    ),
    "wh.empty": (
        "The warehouse holds no courses yet. Add exports to the landing folder and run `mckpi etl`.",
        "Gudang data belum mempunyai kursus. Letakkan fail eksport dalam folder landing dan jalankan `mckpi etl`.",
    ),
    "empty": ("No runs in this period for these filters (a gap, not zero).",
              "Tiada sesi dalam tempoh ini untuk penapis ini (satu jurang, bukan sifar)."),
    "empty.hint": (
        "Try another year, or clear some filters in the sidebar.",
        "Cuba tahun lain, atau kosongkan sebahagian penapis di bar sisi.",
    ),
    "kpi.failed": ("This figure could not be computed ({kpi}): {error}", "Angka ini tidak dapat dikira ({kpi}): {error}"),
    "fresh.stale": (
        "Data may be out of date: last refreshed {when} ({age} ago; expected within {max_age} hours).",
        "Data mungkin tidak terkini: kali terakhir dikemas kini {when} ({age} lalu; sepatutnya dalam {max_age} jam).",
    ),
    "fresh.failed": (
        "The last data refresh failed ({when}): {message} The figures shown are from the last successful refresh.",
        "Kemas kini data terakhir gagal ({when}): {message} Angka yang ditunjukkan adalah daripada kemas kini "
        "berjaya yang terakhir.",
    ),
    "fresh.incomplete": (
        "The last data refresh ({when}) loaded only part of the files: {message} See Data freshness.",
        "Kemas kini data terakhir ({when}) hanya memuatkan sebahagian fail: {message} Lihat Kesegaran data.",
    ),
    "fresh.unknown": ("unknown", "tidak diketahui"),
    "age.minutes": ("{n} min", "{n} minit"),
    "age.hours": ("{n} h", "{n} jam"),
    "age.days": ("{n} days", "{n} hari"),
    # --- common pieces ------------------------------------------------------------------------------------
    "show_data": ("Show data", "Tunjuk data"),
    "download.csv": ("Download CSV", "Muat turun CSV"),
    "download.xlsx": ("Download Excel", "Muat turun Excel"),
    "small_cells": (
        'Learner counts below 5 are shown as "<5" to protect learners\' privacy.',
        'Bilangan pelajar di bawah 5 ditunjukkan sebagai "<5" untuk melindungi privasi pelajar.',
    ),
    "privacy.exact": (
        "Figures: exact (management). Learner counts below {limit} in breakdowns and filtered figures show as "
        '"<{limit}".',
        "Angka: tepat (pengurusan). Bilangan pelajar di bawah {limit} dalam pecahan dan angka bertapis "
        'ditunjukkan sebagai "<{limit}".',
    ),
    "privacy.rounded": (
        "Figures: learner counts rounded to the nearest {base} (HESA rounding); counts from 1 to {below} show as "
        '"<{limit}"; percentages are worked out from the rounded counts and hidden below {rate} learners, '
        "medians and averages below {avg}.",
        "Angka: bilangan pelajar dibundarkan kepada gandaan {base} terdekat (kaedah pembundaran HESA); bilangan 1 "
        'hingga {below} ditunjukkan sebagai "<{limit}"; peratusan dikira daripada bilangan yang dibundarkan dan '
        "disembunyikan di bawah {rate} pelajar, median dan purata di bawah {avg}.",
    ),
    "breakdown": ("Breakdown", "Pecahan"),
    "by.year": ("By year", "Mengikut tahun"),
    "by.ptj": ("By PTj", "Mengikut PTj"),
    "by.course": ("By course", "Mengikut kursus"),
    "all": ("All", "Semua"),
    "yes": ("Yes", "Ya"),
    "no": ("No", "Tidak"),
    "share_of_courses": ("Share of courses offered (%)", "Peratusan kursus ditawarkan (%)"),
    "actual": ("Actual", "Sebenar"),
    "value": ("Value", "Nilai"),
    # --- units and axes -----------------------------------------------------------------------------------
    "unit.count": ("Count", "Bilangan"),
    "unit.pct": ("Percent (%)", "Peratus (%)"),
    "unit.rm": ("Ringgit (RM)", "Ringgit (RM)"),
    "unit.hours": ("Hours", "Jam"),
    "unit.days": ("Days", "Hari"),
    "axis.learners": ("Learners", "Pelajar"),
    "axis.courses": ("Courses", "Kursus"),
    "axis.certificates": ("Certificates", "Sijil"),
    "axis.hours": ("Weighted hours", "Jam berwajaran"),
    "axis.week": ("Week of the course", "Minggu kursus"),
    "axis.month": ("Month", "Bulan"),
    # --- statuses -----------------------------------------------------------------------------------------
    "status.on_track": ("On track", "Dalam landasan"),
    "status.at_risk": ("At risk", "Berisiko"),
    "status.behind": ("Behind", "Ketinggalan"),
    "status.not_started": ("Not started", "Belum bermula"),
    "status.no_target": ("No target set", "Tiada sasaran ditetapkan"),
    "kpi.net_revenue": ("Net revenue", "Hasil bersih"),
    # --- overview -----------------------------------------------------------------------------------------
    "overview.title": ("Ministry scorecard", "Kad skor kementerian"),
    "overview.intro": (
        "Progress of the ministry-bound MOOC and microcredential KPIs against this year's targets.",
        "Kemajuan KPI MOOC dan mikrokredensial kementerian berbanding sasaran tahun ini.",
    ),
    "overview.pick_year": (
        "Showing {year}, the latest year with data. Choose a year in the sidebar to see another one.",
        "Memaparkan {year}, tahun terkini yang mempunyai data. Pilih tahun di bar sisi untuk melihat tahun lain.",
    ),
    "overview.target_line": ("Target {target} · {pct} achieved", "Sasaran {target} · {pct} tercapai"),
    "overview.expected_line": ("Expected by now: {pct}", "Dijangka setakat ini: {pct}"),
    # The run-rate forecast of target_progress: "at risk" / "behind" says by how much and by when.
    "overview.forecast_line": ("Forecast at 31 Dec (run-rate): {value} ({pct})",
                               "Ramalan pada 31 Dis (kadar semasa): {value} ({pct})"),
    "overview.short_line": ("{short} short · target reached {when} at this pace",
                            "Kurang {short} · sasaran dicapai {when} pada kadar ini"),
    "overview.short_closed": ("Year closed {short} short of the target", "Tahun ditutup kurang {short} daripada sasaran"),
    "overview.vs_last_year": ("vs {year}", "berbanding {year}"),
    "overview.mix_title": ("MC courses by MQA category: actual vs target", "Kursus MC mengikut kategori MQA: sebenar berbanding sasaran"),
    "overview.mix_none": ("No microcredential runs in this period for these filters: the MQA category mix counts MC courses only, not MOOCs.",
                          "Tiada larian mikrokredensial dalam tempoh ini bagi penapis ini: campuran kategori MQA mengira kursus MC sahaja, bukan MOOC."),
    "overview.mix_target": ("Target ({c1}% / {c3}%)", "Sasaran ({c1}% / {c3}%)"),
    "overview.orphans": (
        "{n} course(s) have an owner who has left the university and need a new academic. "
        "See **Lecturer workload**.",
        "{n} kursus mempunyai pemilik yang telah meninggalkan universiti dan memerlukan ahli akademik baharu. "
        "Lihat **Beban tugas pensyarah**.",
    ),
    "overview.targets_table": ("Targets and progress", "Sasaran dan kemajuan"),
    "overview.no_targets": (
        "No targets are loaded for {year}. Add them to the kpi_targets file to see progress.",
        "Tiada sasaran dimuatkan untuk {year}. Tambahkannya dalam fail kpi_targets untuk melihat kemajuan.",
    ),
    # --- ministry -----------------------------------------------------------------------------------------
    "ministry.title": ("Ministry KPIs", "KPI Kementerian"),
    "ministry.intro": (
        "Courses, learners, completions and certificates reported to the ministry, by year and PTj.",
        "Kursus, pelajar, penyempurnaan dan sijil yang dilaporkan kepada kementerian, mengikut tahun dan PTj.",
    ),
    "ministry.courses": ("Courses offered", "Kursus ditawarkan"),
    "ministry.learners": ("Learners", "Pelajar"),
    "ministry.learners_origin": ("Learners: internal and external", "Pelajar: dalaman dan luaran"),
    "ministry.learners_nationality": ("Learners: Malaysian and international", "Pelajar: Malaysia dan antarabangsa"),
    "ministry.outcomes": ("Completions and certificates", "Penyempurnaan dan sijil"),
    "ministry.certificates_by_type": ("Certificates by type", "Sijil mengikut jenis"),
    "ministry.shares": ("Mode of delivery and design option", "Mod penyampaian dan pilihan reka bentuk"),
    "ministry.mode_share": ("Courses by mode of delivery", "Kursus mengikut mod penyampaian"),
    "ministry.design_share": ("Courses by design option", "Kursus mengikut pilihan reka bentuk"),
    "ministry.phase_plan": ("Phase plan", "Pelan fasa"),
    "ministry.phase_chart": ("Courses by plan phase", "Kursus mengikut fasa pelan"),
    # --- revenue ------------------------------------------------------------------------------------------
    "revenue.title": ("Revenue", "Hasil"),
    "revenue.intro": (
        "Income credited to each PTj: MC fees and certificate sales, less refunds.",
        "Pendapatan yang dikreditkan kepada setiap PTj: yuran MC dan jualan sijil, tolak bayaran balik.",
    ),
    "revenue.net_by_ptj": ("Net revenue by PTj", "Hasil bersih mengikut PTj"),
    "revenue.components": (
        "MC fees, certificate income and refunds by PTj",
        "Yuran MC, pendapatan sijil dan bayaran balik mengikut PTj",
    ),
    "revenue.monthly": ("Monthly revenue", "Hasil bulanan"),
    "revenue.net_by_course": ("Net revenue by course: {ptj}", "Hasil bersih mengikut kursus: {ptj}"),
    "revenue.by_course": ("Revenue by PTj and course", "Hasil mengikut PTj dan kursus"),
    "revenue.yoy": ("Net revenue: this year vs last year, by PTj", "Hasil bersih: tahun ini berbanding tahun lepas, mengikut PTj"),
    "revenue.yoy_needs_year": (
        "Choose a year in the sidebar to compare it with the year before.",
        "Pilih tahun di bar sisi untuk membandingkannya dengan tahun sebelumnya.",
    ),
    "money.gross_fees_rm": ("MC fees", "Yuran MC"),
    "money.certificate_income_rm": ("Certificate income", "Pendapatan sijil"),
    "money.refunds_rm": ("Refunds", "Bayaran balik"),
    "money.net_revenue_rm": ("Net revenue", "Hasil bersih"),
    # --- completion ---------------------------------------------------------------------------------------
    "completion.title": ("Completion", "Penyempurnaan"),
    "completion.intro": (
        "How far learners get: the funnel of one course or run, weekly retention, and completion rates.",
        "Sejauh mana pelajar maju: corong satu kursus atau sesi, pengekalan mingguan, dan kadar penyempurnaan.",
    ),
    "completion.course": ("Course", "Kursus"),
    "completion.run": ("Course run", "Sesi kursus"),
    "completion.all_runs": ("All runs", "Semua sesi"),
    "completion.funnel": ("Learner funnel: {name}", "Corong pelajar: {name}"),
    "completion.no_steps": (
        "No step data for this course ({name}): the started, 50% and 90% stages and the weekly retention "
        "cannot be shown, and are not zero. Completions and certificates are still counted from the results "
        "file.",
        "Tiada data langkah untuk kursus ini ({name}): peringkat bermula, 50% dan 90% serta pengekalan mingguan "
        "tidak dapat ditunjukkan, dan bukan sifar. Penyempurnaan dan sijil masih dikira daripada fail keputusan.",
    ),
    "completion.no_steps_fl": (
        "No step data for this course ({name}): the started, 50% and 90% stages and the weekly retention "
        "cannot be shown, and are not zero. Completions come from FutureLearn's fully-participated date "
        "(fully_participated_at) in the enrolments export; certificates from the statements bought there.",
        "Tiada data langkah untuk kursus ini ({name}): peringkat bermula, 50% dan 90% serta pengekalan mingguan "
        "tidak dapat ditunjukkan, dan bukan sifar. Penyempurnaan diambil daripada tarikh penyertaan penuh "
        "FutureLearn (fully_participated_at) dalam eksport pendaftaran; sijil daripada penyata yang dibeli di situ.",
    ),
    "completion.outcomes": (
        "Completed: {completed} · completed 90% of steps: {p90} · learners with a certificate: {certified}. "
        "These are not funnel stages: a FutureLearn learner fully participates with more than half the steps and "
        "every test, so not every 90% learner has, and completions also come from the results file.",
        "Tamat: {completed} · menamatkan 90% langkah: {p90} · pelajar yang menerima sijil: {certified}. "
        "Ini bukan peringkat corong: pelajar FutureLearn menyertai sepenuhnya dengan lebih separuh langkah dan "
        "setiap ujian, jadi bukan setiap pelajar 90% begitu, dan penyempurnaan juga datang daripada fail keputusan.",
    ),
    "completion.week_not_reached": (
        "Weeks not reached yet are left out (not drawn as 0): {runs}.",
        "Minggu yang belum tiba tidak dilukis (bukan 0): {runs}.",
    ),
    "completion.retention": ("Weekly retention across runs: {name}", "Pengekalan mingguan merentas sesi: {name}"),
    "completion.retention_axis": ("Still active (% of starters)", "Masih aktif (% pelajar yang bermula)"),
    "completion.rate_by_course": ("Completion rate per course", "Kadar penyempurnaan setiap kursus"),
    "completion.top_note": (
        "The chart shows the {n} courses with the most enrolments; the table below has them all.",
        "Carta menunjukkan {n} kursus dengan pendaftaran terbanyak; jadual di bawah mengandungi semuanya.",
    ),
    # --- pathways page --------------------------------------------------------------------------------------
    "pathways.title": ("Microcredential pathways", "Laluan mikro-kredensial"),
    "pathways.intro": (
        "Each MC programme from its first course to the Malaysian Micro-credential Statement (MMS) and on to"
        " admission into the accredited programme; how far its learners get, and whether they accept their badges.",
        "Setiap program MC dari kursus pertama hingga Penyata Mikro-kredensial Malaysia (MMS) dan seterusnya ke"
        " kemasukan program bertauliah; sejauh mana pelajarnya maju, dan sama ada mereka menerima lencana.",
    ),
    "pathways.programme": ("MC programme", "Program MC"),
    "pathways.flow": ("From first course to MMS and intake: {name}", "Dari kursus pertama ke MMS dan kemasukan: {name}"),
    "pathways.stage_enrolled": ("Enrolled in a course", "Mendaftar kursus"),
    "pathways.stage_courses": ("Completed {k} of {n} courses", "Menamatkan {k} daripada {n} kursus"),
    "pathways.stage_mms": ("MMS issued", "MMS dikeluarkan"),
    "pathways.stage_admitted": ("Admitted to the programme", "Diterima masuk ke program"),
    "pathways.stage_left": ("Did not go on", "Tidak meneruskan"),
    "pathways.progress": ("Stack progress: {name}", "Kemajuan tindanan: {name}"),
    "pathways.badges": ("Badge acceptance and sharing by programme", "Penerimaan dan perkongsian lencana mengikut program"),
    "pathways.compare": ("Programmes compared", "Perbandingan program"),
    "pathways.overdue": ("Eligible for the MMS, none after {days} days", "Layak MMS, tiada selepas {days} hari"),
    "pathways.no_programmes": (
        "No MC programmes in the data: load mc_programmes and mc_programme_courses (see data/templates/).",
        "Tiada program MC dalam data: muatkan mc_programmes dan mc_programme_courses (lihat data/templates/).",
    ),
    "stage.enrolled": ("Enrolled", "Mendaftar"),
    "stage.started": ("Started", "Bermula"),
    "stage.completed_50pct": ("Completed 50% of steps", "Menamatkan 50% langkah"),
    "stage.completed_90pct": ("Completed 90% of steps", "Menamatkan 90% langkah"),
    "stage.fully_participated": ("Fully participated", "Penyertaan penuh"),
    "stage.completed": ("Completed", "Tamat"),
    "stage.certified": ("Learners with a certificate", "Pelajar yang menerima sijil"),
    # --- course insights (FutureLearn exports) --------------------------------------------------------------
    "insights.title": ("Course insights", "Wawasan kursus"),
    "insights.intro": (
        "What FutureLearn's exports say about a course: pick the course in the sidebar and the runs to compare.",
        "Apa yang dikatakan eksport FutureLearn tentang kursus: pilih kursus di bar sisi dan larian untuk dibandingkan.",
    ),
    "insights.runs": ("Runs to compare", "Larian untuk dibandingkan"),
    "insights.dropoff": ("Step drop-off", "Keciciran mengikut langkah"),
    "insights.reached": ("Learners reaching each step (% of starters)", "Pelajar yang sampai setiap langkah (% yang bermula)"),
    "insights.stopped": ("Where leavers stop (% of starters)", "Tempat pelajar berhenti (% yang bermula)"),
    "insights.step_axis": ("Step", "Langkah"),
    "insights.pct_axis": ("% of starters", "% yang bermula"),
    "insights.watched": ("Watched to {pct}%", "Ditonton hingga {pct}%"),
    "insights.video_chart": ("Share of views reaching 50/95/100% of each video, {run}",
                             "Peratus tontonan yang sampai 50/95/100% setiap video, {run}"),
    "insights.views_axis": ("% of views", "% tontonan"),
    "insights.responses_axis": ("Responses", "Jawapan"),
    "insights.quiz": ("Hardest quiz questions", "Soalan kuiz paling sukar"),
    "insights.hardest_caption": (
        "The three lowest first-attempt correct rates per run (questions answered by enough learners).",
        "Tiga kadar betul cubaan pertama terendah setiap larian (soalan yang dijawab oleh cukup pelajar).",
    ),
    "insights.all_questions": ("Every question", "Setiap soalan"),
    "insights.too_hard": ("too hard", "terlalu sukar"),
    "insights.too_easy": ("too easy", "terlalu mudah"),
    "insights.social": ("Social learning", "Pembelajaran sosial"),
    "insights.video": ("Video viewing", "Tontonan video"),
    "insights.leaving": ("Leaving reasons", "Sebab meninggalkan kursus"),
    "insights.leaving_chart": ("Leaving-survey responses per reason", "Jawapan tinjauan meninggalkan kursus mengikut sebab"),
    "insights.sentiment": ("Weekly sentiment", "Sentimen mingguan"),
    "insights.archetypes": ("Learner archetypes", "Arketaip pelajar"),
    # --- workload -----------------------------------------------------------------------------------------
    "workload.title": ("Lecturer workload", "Beban tugas pensyarah"),
    "workload.platform_activity": (
        "Educators' activity on FutureLearn (comments and replies)",
        "Aktiviti pendidik di FutureLearn (komen dan balasan)",
    ),
    "workload.intro": (
        "MC and MOOC teaching per lecturer and term. Weighted hours = contact hours + {factor} × online hours; "
        "above {hours} weighted hours in a term is flagged as overloaded.",
        "Pengajaran MC dan MOOC setiap pensyarah dan semester. Jam berwajaran = jam bersemuka + {factor} × jam "
        "dalam talian; melebihi {hours} jam berwajaran dalam satu semester ditanda sebagai terlebih beban.",
    ),
    "workload.table": ("Weighted teaching load per lecturer", "Beban pengajaran berwajaran setiap pensyarah"),
    "workload.overloaded_only": ("Only overloaded lecturers", "Hanya pensyarah terlebih beban"),
    "workload.overloaded_count": (
        "{n} lecturer-term(s) above {hours} weighted hours.",
        "{n} pensyarah-semester melebihi {hours} jam berwajaran.",
    ),
    "workload.none_overloaded": (
        "No lecturer is above {hours} weighted hours in a term.",
        "Tiada pensyarah melebihi {hours} jam berwajaran dalam satu semester.",
    ),
    "workload.distribution": ("Weighted hours per lecturer and term, by PTj", "Jam berwajaran setiap pensyarah dan semester, mengikut PTj"),
    "workload.threshold": ("Overload: {hours} h", "Terlebih beban: {hours} jam"),
    "workload.by_ptj": ("Teaching load by PTj", "Beban pengajaran mengikut PTj"),
    "workload.orphans": ("Courses whose owner has left", "Kursus yang pemiliknya telah meninggalkan universiti"),
    "workload.orphans_help": (
        "The faculty must keep offering these courses with another academic (UM guideline).",
        "Fakulti perlu terus menawarkan kursus ini dengan ahli akademik lain (garis panduan UM).",
    ),
    "workload.no_orphans": (
        "Every course has an owner who is still with the university.",
        "Setiap kursus mempunyai pemilik yang masih berkhidmat di universiti.",
    ),
    # --- compare ------------------------------------------------------------------------------------------
    "compare.title": ("Compare courses", "Bandingkan kursus"),
    "compare.intro": (
        "Pick two to five courses to see them side by side.",
        "Pilih dua hingga lima kursus untuk melihatnya sebelah-menyebelah.",
    ),
    "compare.pick": ("Courses to compare (2 to 5)", "Kursus untuk dibandingkan (2 hingga 5)"),
    "compare.need_two": ("Pick at least two courses to compare.", "Pilih sekurang-kurangnya dua kursus untuk dibandingkan."),
    "compare.enrolments": ("Enrolments and learners", "Pendaftaran dan pelajar"),
    "compare.funnel": ("Learner funnel", "Corong pelajar"),
    "compare.certificates": ("Certificates by type", "Sijil mengikut jenis"),
    "compare.revenue": ("Revenue", "Hasil"),
    "compare.retention": ("Weekly retention (all runs)", "Pengekalan mingguan (semua sesi)"),
    "compare.line_dropped": ("No retention line for {names}: no step data for this course (or its counts are "
                             "hidden as small).",
                             "Tiada garis pengekalan untuk {names}: tiada data langkah untuk kursus ini (atau "
                             "bilangannya disembunyikan kerana kecil)."),
    "compare.table": ("Side by side", "Sebelah-menyebelah"),
    # --- freshness ----------------------------------------------------------------------------------------
    "freshness.title": ("Data freshness", "Kesegaran data"),
    "freshness.intro": (
        "When the data was last refreshed, what each ETL run loaded, and which rows were set aside and why.",
        "Bila data terakhir dikemas kini, apa yang dimuatkan oleh setiap larian ETL, dan baris yang diketepikan "
        "serta sebabnya.",
    ),
    "freshness.last_success": ("Last successful refresh", "Kemas kini berjaya terakhir"),
    "freshness.age": ("Age of the data", "Usia data"),
    "freshness.run_id": ("ETL run", "Larian ETL"),
    "freshness.last_run": ("Last ETL run", "Larian ETL terakhir"),
    "freshness.recent_runs": ("Recent ETL runs", "Larian ETL terkini"),
    "freshness.files": ("Files loaded", "Fail dimuatkan"),
    "freshness.quarantine": ("Quarantined rows, by reason", "Baris dikuarantin, mengikut sebab"),
    "freshness.no_quarantine": ("No rows were quarantined.", "Tiada baris dikuarantin."),
    "freshness.no_runs": ("No ETL run is recorded yet.", "Belum ada larian ETL direkodkan."),
    "freshness.ok": ("The data is fresh.", "Data adalah terkini."),
    "run.succeeded": ("succeeded", "berjaya"),
    "run.failed": ("failed", "gagal"),
    "run.running": ("running", "sedang berjalan"),
    "run.incomplete": ("published, incomplete", "diterbitkan, tidak lengkap"),
    # --- definitions --------------------------------------------------------------------------------------
    "definitions.title": ("KPI definitions", "Definisi KPI"),
    "definitions.intro": (
        "Every figure on these pages comes from one of these KPIs. The definitions are read from the KPI files "
        "themselves, so they always match the calculation.",
        "Setiap angka dalam halaman ini datang daripada salah satu KPI ini. Definisi dibaca daripada fail KPI itu "
        "sendiri, jadi ia sentiasa sepadan dengan pengiraan.",
    ),
    "definitions.privacy.title": ("How figures are protected", "Bagaimana angka dilindungi"),
    "definitions.privacy.body": (
        "No page, download or report shows a learner by name, id or key: every figure is a count, rate or sum. "
        "Management sees exact figures (ministry returns need them); learner counts below {limit} in breakdowns "
        'and filtered figures show as "<{limit}", with a second cell hidden so a total cannot give one back. '
        "Every other role (PTj users, lecturers, viewers) sees every learner count rounded to the nearest {base}, "
        "at every level including the university's totals, following HESA's rounding and suppression methodology "
        "(https://www.hesa.ac.uk/about/regulation/data-protection/rounding-and-suppression-anonymise-statistics): "
        'a count from 1 to {below} shows as "<{limit}", a true 0 as 0; percentages are worked out from the rounded '
        "counts and hidden when fewer than {rate} learners are behind them, medians and averages when fewer than "
        "{avg}. Rounding is what holds against differencing: a total with and without one platform, PTj or course "
        "differs by a multiple of {base}, never by a small count. Rounded figures need not add up exactly.",
        "Tiada halaman, muat turun atau laporan menunjukkan pelajar melalui nama, ID atau kunci: setiap angka ialah "
        "bilangan, kadar atau jumlah. Pengurusan melihat angka tepat (laporan kementerian memerlukannya); bilangan "
        'pelajar di bawah {limit} dalam pecahan dan angka bertapis ditunjukkan sebagai "<{limit}", dengan sel kedua '
        "disembunyikan supaya jumlah tidak mendedahkannya. Peranan lain (pengguna PTj, pensyarah, pelihat) melihat "
        "setiap bilangan pelajar dibundarkan kepada gandaan {base} terdekat, di setiap peringkat termasuk jumlah "
        "universiti, mengikut kaedah pembundaran dan penyembunyian HESA "
        "(https://www.hesa.ac.uk/about/regulation/data-protection/rounding-and-suppression-anonymise-statistics): "
        'bilangan 1 hingga {below} ditunjukkan sebagai "<{limit}", 0 sebenar sebagai 0; peratusan dikira daripada '
        "bilangan yang dibundarkan dan disembunyikan jika kurang daripada {rate} pelajar, median dan purata jika "
        "kurang daripada {avg}. Pembundaran inilah yang menahan serangan perbezaan: jumlah dengan dan tanpa satu "
        "platform, PTj atau kursus berbeza dengan gandaan {base}, bukan bilangan kecil. Angka yang dibundarkan "
        "tidak semestinya menjumlah dengan tepat.",
    ),
    "definitions.privacy.yours": ("What applies to you: {note}", "Yang terpakai kepada anda: {note}"),
    "definitions.search": ("Search KPIs", "Cari KPI"),
    "definitions.id": ("KPI id", "ID KPI"),
    "definitions.unit": ("Unit", "Unit"),
    "definitions.grain": ("Breakdowns", "Pecahan"),
    "definitions.filters": ("Filters", "Penapis"),
    "definitions.none": ("No KPI matches the search.", "Tiada KPI sepadan dengan carian."),
    "definitions.sources": ("Source tables and the columns it uses", "Jadual sumber dan lajur yang digunakan"),
    "definitions.sources.note": (
        "As documented beside each table's SQL in the warehouse.",
        "Seperti yang didokumenkan di sebelah SQL setiap jadual dalam gudang data (dalam bahasa Inggeris).",
    ),
    # --- value labels -------------------------------------------------------------------------------------
    "mqa.1": ("Category 1", "Kategori 1"),
    "mqa.2": ("Category 2", "Kategori 2"),
    "mqa.3": ("Category 3", "Kategori 3"),
    "mode.conventional": ("Conventional", "Konvensional"),
    "mode.blended": ("Blended", "Teradun"),
    "mode.odl": ("ODL (open and distance learning)", "ODL (pembelajaran terbuka dan jarak jauh)"),
    "platform.futurelearn": ("FutureLearn", "FutureLearn"),
    "platform.openlearning": ("OpenLearning", "OpenLearning"),
    "platform.lms": ("University LMS", "LMS universiti"),
    "platform.other": ("Other platform", "Platform lain"),
    "mc_type.programme_based": ("Programme-based (credit-bearing)", "Berasaskan program (berkredit)"),
    "mc_type.stand_alone": ("Stand-alone", "Kendiri"),
    "mc_type.mooc": ("MOOC", "MOOC"),
    "design.A": ("Option A (blended)", "Pilihan A (teradun)"),
    "design.B1": ("Option B1 (one 14-week MOOC)", "Pilihan B1 (satu MOOC 14 minggu)"),
    "design.B2": ("Option B2 (several MOOCs)", "Pilihan B2 (beberapa MOOC)"),
    "design.none": ("No design option", "Tiada pilihan reka bentuk"),
    "phase.immediate": ("Immediate plan", "Pelan segera"),
    "phase.phase_2": ("Phase 2 (3-year)", "Fasa 2 (3 tahun)"),
    "phase.phase_3": ("Phase 3 (5-year)", "Fasa 3 (5 tahun)"),
    "cert.coc": ("Certificate of Completion (COC)", "Sijil Penyempurnaan (COC)"),
    "cert.coa": ("Certificate of Achievement (COA)", "Sijil Pencapaian (COA)"),
    "cert.mms": ("Malaysian Micro-credential Statement (MMS)", "Penyata Mikrokredensial Malaysia (MMS)"),
    "cert.badge": ("Digital badge", "Lencana digital"),
    "cert.certificates_purchased": ("Certificates purchased", "Sijil dibeli"),
    "learner.internal": ("Internal", "Dalaman"),
    "learner.external": ("External", "Luaran"),
    "learner.malaysian": ("Malaysian", "Warganegara Malaysia"),
    "learner.international": ("International", "Antarabangsa"),
    "learner.unknown_nationality": ("Nationality unknown", "Kewarganegaraan tidak diketahui"),
    "grain.university": ("University", "Universiti"),
    "grain.ptj": ("PTj", "PTj"),
    "grain.course": ("Course", "Kursus"),
    "grain.programme": ("MC programme", "Program MC"),
    "grain.course_run": ("Course run", "Sesi kursus"),
    "grain.month": ("Month", "Bulan"),
    "grain.lecturer": ("Lecturer", "Pensyarah"),
    "grain.staff": ("Lecturer", "Pensyarah"),
    "grain.year": ("Year", "Tahun"),
    "grain.term": ("Term", "Semester"),
    "filter.year": ("year", "tahun"),
    "filter.date_from": ("from date", "dari tarikh"),
    "filter.date_to": ("to date", "hingga tarikh"),
    "filter.ptj_codes": ("PTj", "PTj"),
    "filter.course_codes": ("course", "kursus"),
    "filter.mqa_categories": ("MQA category", "kategori MQA"),
    "filter.modes": ("mode of delivery", "mod penyampaian"),
    "filter.platforms": ("platform", "platform"),
    "filter.mc_types": ("MC type", "jenis MC"),
    # --- column headers (KPI outputs and tables) ----------------------------------------------------------
    "col.year": ("Year", "Tahun"),
    "col.acceptance_rate_pct": ("Acceptance rate (%)", "Kadar penerimaan (%)"),
    "col.accepted": ("Accepted", "Diterima"),
    "col.admitted": ("Admitted to the programme", "Diterima masuk ke program"),
    "col.application_kind": ("Kind of application", "Jenis permohonan"),
    "col.applications": ("Applications", "Permohonan"),
    "col.approval_rate_pct": ("Approval rate (%)", "Kadar kelulusan (%)"),
    "col.approved": ("Approved", "Diluluskan"),
    "col.completers": ("Completers", "Pelajar tamat"),
    "col.conversion_pct": ("Conversion (%)", "Penukaran (%)"),
    "col.courses_done": ("Courses completed", "Kursus ditamatkan"),
    "col.courses_needed": ("Courses needed", "Kursus diperlukan"),
    "col.credits_granted": ("Credits granted", "Kredit diberi"),
    "col.decided": ("Decided", "Diputuskan"),
    "col.dropoff_pct": ("Drop-off (%)", "Keciciran (%)"),
    "col.dropped": ("Did not go on", "Tidak meneruskan"),
    "col.eligible": ("Eligible for the MMS", "Layak MMS"),
    "col.eligible_with_mms": ("Eligible, MMS issued", "Layak, MMS dikeluarkan"),
    "col.eligible_without_mms": ("Eligible, no MMS", "Layak, tiada MMS"),
    "col.from_step": ("Courses completed (from)", "Kursus ditamatkan (dari)"),
    "col.gaps": ("Gaps between courses", "Jurang antara kursus"),
    "col.issued": ("Issued", "Dikeluarkan"),
    "col.learners_at_least": ("Learners with at least this many", "Pelajar dengan sekurang-kurangnya bilangan ini"),
    "col.learners_next": ("Went on to the next", "Meneruskan ke seterusnya"),
    "col.mc_revenue_rm": ("MC fees of those admitted (RM)", "Yuran MC mereka yang diterima masuk (RM)"),
    "col.median_days_to_decision": ("Median days to decision", "Median hari hingga keputusan"),
    "col.mms_issued": ("MMS issued", "MMS dikeluarkan"),
    "col.mms_rate_pct": ("Eligible with an MMS (%)", "Layak dengan MMS (%)"),
    "col.mms_without_eligibility": ("MMS without eligibility in the data", "MMS tanpa kelayakan dalam data"),
    "col.overdue": ("Overdue", "Tertunggak"),
    "col.overdue_after_days": ("Overdue after (days)", "Tertunggak selepas (hari)"),
    "col.pending": ("Pending or withdrawn", "Menunggu atau ditarik balik"),
    "col.rejected": ("Rejected", "Ditolak"),
    "col.revenue_per_completer_rm": ("Revenue per completer (RM)", "Hasil bagi setiap pelajar tamat (RM)"),
    "col.revenue_per_mms_rm": ("Revenue per MMS (RM)", "Hasil bagi setiap MMS (RM)"),
    "col.revoked": ("Revoked", "Dibatalkan"),
    "col.share_rate_pct": ("Share rate (%)", "Kadar perkongsian (%)"),
    "col.shared": ("Shared", "Dikongsi"),
    "col.to_step": ("Courses completed (to)", "Kursus ditamatkan (ke)"),
    "col.tracked": ("With a known state", "Dengan status diketahui"),
    "col.tuition_rm": ("Tuition of those admitted (RM)", "Yuran pengajian mereka yang diterima masuk (RM)"),
    "col.views": ("Views", "Tontonan"),
    # course insights (FutureLearn exports)
    "col.step": ("Step", "Langkah"),
    "col.step_number": ("Step number", "Nombor langkah"),
    "col.learners_reached": ("Learners reaching the step", "Pelajar yang sampai"),
    "col.learners_stopped": ("Learners stopping here", "Pelajar berhenti di sini"),
    "col.reached_pct": ("Reached %", "Sampai %"),
    "col.stopped_pct": ("Stopped here %", "Berhenti di sini %"),
    "col.quiz_question": ("Question", "Soalan"),
    "col.question_number": ("Question number", "Nombor soalan"),
    "col.answers": ("Answers", "Jawapan"),
    "col.first_attempt_correct": ("Correct at first attempt", "Betul pada cubaan pertama"),
    "col.first_attempt_correct_pct": ("First-attempt correct %", "Betul cubaan pertama %"),
    "col.attempts_per_learner": ("Attempts per learner", "Cubaan setiap pelajar"),
    "col.most_chosen_wrong_response": ("Most chosen wrong option", "Pilihan salah paling kerap"),
    "col.difficulty_flag": ("Flag", "Tanda"),
    "col.hardest_rank": ("Hardest rank", "Kedudukan paling sukar"),
    "col.active_learners": ("Active learners", "Pelajar aktif"),
    "col.commenters": ("Learners commenting", "Pelajar memberi komen"),
    "col.commenters_pct": ("Commenting %", "Memberi komen %"),
    "col.comments": ("Comments", "Komen"),
    "col.replies": ("Replies", "Balasan"),
    "col.comments_per_commenter": ("Comments per commenter", "Komen setiap pemberi komen"),
    "col.team_comments": ("Course team comments", "Komen pasukan kursus"),
    "col.team_replies": ("Course team replies", "Balasan pasukan kursus"),
    "col.likes": ("Likes", "Suka"),
    "col.steps_with_comments": ("Steps with comments", "Langkah berkomen"),
    "col.video_title": ("Video", "Video"),
    "col.video_duration_s": ("Duration (s)", "Tempoh (s)"),
    "col.count_views": ("Views", "Tontonan"),
    "col.count_downloads": ("Downloads", "Muat turun"),
    "col.count_caption_views": ("Caption views", "Tontonan sari kata"),
    "col.count_transcript_views": ("Transcript views", "Tontonan transkrip"),
    "col.viewed_50_pct": ("Watched to 50 %", "Ditonton hingga 50 %"),
    "col.viewed_95_pct": ("Watched to 95 %", "Ditonton hingga 95 %"),
    "col.viewed_100_pct": ("Watched to 100 %", "Ditonton hingga 100 %"),
    "col.leaving_reason": ("Leaving reason", "Sebab meninggalkan"),
    "col.responses": ("Responses", "Jawapan"),
    "col.rated_bad": ("Rated bad", "Dinilai buruk"),
    "col.rated_neutral": ("Rated neutral", "Dinilai neutral"),
    "col.rated_good": ("Rated good", "Dinilai baik"),
    "col.mean_rating": ("Mean rating (1-3)", "Purata penilaian (1-3)"),
    "col.good_pct": ("Good %", "Baik %"),
    "col.archetype": ("Archetype", "Arketaip"),
    "col.team_role": ("Team role", "Peranan pasukan"),
    "col.group_key": ("Code", "Kod"),
    "col.group_label": ("Name", "Nama"),
    "col.ptj_code": ("PTj", "PTj"),
    "col.ptj_name": ("PTj name", "Nama PTj"),
    "col.course_code": ("Course code", "Kod kursus"),
    "col.course_title": ("Course", "Kursus"),
    "col.run_id": ("Course run", "Sesi kursus"),
    "col.month": ("Month", "Bulan"),
    "col.courses": ("Courses", "Kursus"),
    "col.mc_courses": ("MC courses", "Kursus MC"),
    "col.mooc_courses": ("MOOC courses", "Kursus MOOC"),
    "col.runs_started": ("Runs started", "Sesi bermula"),
    "col.runs": ("Runs", "Sesi"),
    "col.new_courses": ("New courses", "Kursus baharu"),
    "col.enrolments": ("Enrolments", "Pendaftaran"),
    "col.learners": ("Learners", "Pelajar"),
    "col.internal": ("Internal", "Dalaman"),
    "col.external": ("External", "Luaran"),
    "col.malaysian": ("Malaysian", "Warganegara Malaysia"),
    "col.international": ("International", "Antarabangsa"),
    "col.dimension": ("Dimension", "Dimensi"),
    "col.value": ("Value", "Nilai"),
    "card.exact": ("Exact value: {value}", "Nilai tepat: {value}"),
    "col.completions": ("Completions", "Penyempurnaan"),
    "col.completed": ("Completed", "Tamat"),
    "col.coc": ("COC", "COC"),
    "col.coa": ("COA", "COA"),
    "col.mms": ("MMS", "MMS"),
    "col.certificates": ("Certificates issued", "Sijil dikeluarkan"),
    "col.certificates_total": ("Certificates issued or bought", "Sijil dikeluarkan atau dibeli"),
    "col.certificates_purchased": ("Certificates purchased", "Sijil dibeli"),
    "col.starters": ("Starters", "Pelajar yang bermula"),
    "col.completion_rate_pct": ("Completion rate, all enrolments (%)", "Kadar penyempurnaan, semua pendaftaran (%)"),
    "col.completion_rate_step_runs_pct": (
        "Completion rate, enrolments in runs with step data (%)",
        "Kadar penyempurnaan, pendaftaran dalam sesi dengan data langkah (%)"),
    "col.completion_rate_started_pct": (
        "Completion rate, learners who started (runs with step data) (%)",
        "Kadar penyempurnaan, pelajar yang bermula (sesi dengan data langkah) (%)"),
    "col.completed_starters": ("Completed (of starters)", "Tamat (daripada yang bermula)"),
    "col.withdrawals": ("Withdrawals", "Menarik diri"),
    "col.passed": ("Passed", "Lulus"),
    "col.courses_offered": ("Courses offered", "Kursus ditawarkan"),
    "col.new_mc_courses": ("New MC courses", "Kursus MC baharu"),
    "col.new_mooc_courses": ("New MOOC courses", "Kursus MOOC baharu"),
    "col.mc_runs": ("MC runs", "Sesi MC"),
    "col.mooc_runs": ("MOOC runs", "Sesi MOOC"),
    "col.badges": ("Badges", "Lencana"),
    "col.nationality_unknown": ("Nationality unknown", "Kewarganegaraan tidak diketahui"),
    "col.mqa_category": ("MQA category", "Kategori MQA"),
    "col.share_pct": ("Share (%)", "Peratusan (%)"),
    "col.target_pct": ("Target (%)", "Sasaran (%)"),
    "col.gap_pct": ("Gap (percentage points)", "Jurang (mata peratusan)"),
    "col.delivery_mode": ("Mode of delivery", "Mod penyampaian"),
    "col.design_option": ("Design option", "Pilihan reka bentuk"),
    "col.plan_phase": ("Plan phase", "Fasa pelan"),
    "col.credit_bearing": ("Credit-bearing", "Berkredit"),
    "col.credit_bearing_courses": ("Credit-bearing courses", "Kursus berkredit"),
    "col.credits": ("Credits", "Kredit"),
    "col.kpi_id": ("KPI", "KPI"),
    "col.kpi_title": ("KPI", "KPI"),
    "col.scope": ("Scope", "Skop"),
    "col.scope_label": ("PTj", "PTj"),
    "col.target_value": ("Target", "Sasaran"),
    "col.receipts": ("Receipts", "Resit"),
    "col.previous_net_revenue_rm": ("Net revenue, previous year (RM)", "Hasil bersih, tahun sebelumnya (RM)"),
    "col.revenue_per_enrolment_rm": ("Net revenue per enrolment (RM)", "Hasil bersih setiap pendaftaran (RM)"),
    "col.courses_planned": ("Courses planned", "Kursus dirancang"),
    "col.courses_launched": ("Courses launched", "Kursus dilancarkan"),
    "col.launched_pct": ("Launched (%)", "Dilancarkan (%)"),
    "col.credits_on_offer": ("Credits on offer", "Kredit ditawarkan"),
    "col.credit_bearing_share_pct": ("Credit-bearing share (%)", "Peratusan berkredit (%)"),
    "col.enrolments_credit_bearing": ("Enrolments in credit-bearing courses", "Pendaftaran dalam kursus berkredit"),
    "col.target": ("Target", "Sasaran"),
    "col.pct_achieved": ("Achieved (%)", "Pencapaian (%)"),
    "col.expected_pct": ("Expected by now (%)", "Dijangka setakat ini (%)"),
    "col.forecast_value": ("Forecast at 31 Dec", "Ramalan pada 31 Dis"),
    "col.forecast_pct": ("Forecast (% of target)", "Ramalan (% sasaran)"),
    "col.forecast_reach_on": ("Target reached at this pace", "Sasaran dicapai pada kadar ini"),
    "col.forecast_shortfall": ("Short of target at 31 Dec", "Kurang daripada sasaran pada 31 Dis"),
    "col.forecast_method": ("Forecast method", "Kaedah ramalan"),
    "col.status": ("Status", "Status"),
    "col.gross_fees_rm": ("MC fees (RM)", "Yuran MC (RM)"),
    "col.certificate_income_rm": ("Certificate income (RM)", "Pendapatan sijil (RM)"),
    "col.refunds_rm": ("Refunds (RM)", "Bayaran balik (RM)"),
    "col.net_revenue_rm": ("Net revenue (RM)", "Hasil bersih (RM)"),
    "col.prev_net_revenue_rm": ("Net revenue, previous year (RM)", "Hasil bersih, tahun sebelumnya (RM)"),
    "col.change_rm": ("Change (RM)", "Perubahan (RM)"),
    "col.change_pct": ("Change (%)", "Perubahan (%)"),
    "col.paying_learners": ("Paying learners", "Pelajar yang membayar"),
    "col.revenue_per_learner_rm": ("Net revenue per learner (RM)", "Hasil bersih setiap pelajar (RM)"),
    "col.enrolled": ("Enrolled", "Mendaftar"),
    "col.started": ("Started", "Bermula"),
    "col.completed_50pct": ("Completed 50%", "Menamatkan 50%"),
    "col.completed_90pct": ("Completed 90%", "Menamatkan 90%"),
    "col.fully_participated": ("Fully participated", "Penyertaan penuh"),
    "col.certified": ("Learners with a certificate (issued or bought)", "Pelajar yang menerima sijil (dikeluarkan atau dibeli)"),
    "col.week_number": ("Week", "Minggu"),
    "col.active": ("Active", "Aktif"),
    "col.retention_pct": ("Retention (%)", "Pengekalan (%)"),
    "col.median_days": ("Median days", "Median hari"),
    "col.median_days_to_completion": ("Median days to completion", "Median hari untuk tamat"),
    "col.staff_id": ("Staff id", "ID staf"),
    "col.staff_name": ("Lecturer", "Pensyarah"),
    "col.term": ("Term", "Semester"),
    "col.contact_hours": ("Contact hours", "Jam bersemuka"),
    "col.online_hours": ("Online hours", "Jam dalam talian"),
    "col.weighted_hours": ("Weighted hours", "Jam berwajaran"),
    "col.learners_taught": ("Learners taught", "Pelajar diajar"),
    "col.is_overloaded": ("Overloaded", "Terlebih beban"),
    "col.lecturers": ("Lecturers", "Pensyarah"),
    "col.overloaded_lecturers": ("Overloaded lecturers", "Pensyarah terlebih beban"),
    "col.mean_weighted_hours": ("Mean weighted hours", "Purata jam berwajaran"),
    "col.max_weighted_hours": ("Highest weighted hours", "Jam berwajaran tertinggi"),
    "col.total_weighted_hours": ("Total weighted hours", "Jumlah jam berwajaran"),
    "col.owner_staff_id": ("Owner staff id", "ID staf pemilik"),
    "col.owner_name": ("Owner", "Pemilik"),
    "col.owner_left_on": ("Owner left on", "Tarikh pemilik keluar"),
    "col.runs_running_or_upcoming": ("Runs live or upcoming", "Sesi aktif atau akan datang"),
    "col.has_left": ("Has left", "Telah keluar"),
    "col.median_weighted_hours": ("Median weighted hours", "Median jam berwajaran"),
    "col.files": ("Files", "Fail"),
    "col.last_run_id": ("Last ETL run", "Larian ETL terakhir"),
    "col.ptj_name_en": ("PTj name", "Nama PTj"),
    "col.next_run_id": ("Next run", "Sesi seterusnya"),
    "col.etl_run_id": ("ETL run", "Larian ETL"),
    "col.duration_s": ("Duration (s)", "Tempoh (s)"),
    "col.min_days": ("Fewest days", "Hari paling sedikit"),
    "col.max_days": ("Most days", "Hari paling banyak"),
    "col.completions_timed": ("Completions with a date", "Penyempurnaan bertarikh"),
    "col.is_week_reached": ("Week reached", "Minggu telah tiba"),
    "col.enrolled_with_steps": ("Enrolled in runs with step data", "Mendaftar dalam sesi dengan data langkah"),
    "col.learners_visited": ("Learners active that week", "Pelajar aktif minggu itu"),
    "col.next_run_starts_on": ("Next run starts", "Sesi seterusnya bermula"),
    "col.run_id_label": ("Run", "Sesi"),
    "col.started_at": ("Started", "Bermula"),
    "col.finished_at": ("Finished", "Selesai"),
    "col.message": ("Message", "Mesej"),
    "col.files_loaded": ("Files loaded", "Fail dimuatkan"),
    "col.files_skipped": ("Files skipped", "Fail dilangkau"),
    "col.rows_read": ("Rows read", "Baris dibaca"),
    "col.rows_loaded": ("Rows loaded", "Baris dimuatkan"),
    "col.rows_quarantined": ("Rows quarantined", "Baris dikuarantin"),
    "col.source": ("Source", "Sumber"),
    "col.file_name": ("File", "Fail"),
    "col.reason": ("Reason", "Sebab"),
    "col.column_name": ("Column", "Lajur"),
    "col.rows": ("Rows", "Baris"),
    "col.example_line": ("Example line", "Contoh baris"),
    "col.example_value": ("Example value", "Contoh nilai"),
    "col.first_line": ("First line", "Baris pertama"),
    "col.lines": ("Lines", "Baris"),
    "col.measure": ("Measure", "Ukuran"),
    "col.definition": ("Definition", "Definisi"),
    "col.unit": ("Unit", "Unit"),
    "col.grain": ("Breakdowns", "Pecahan"),
    "col.filters": ("Filters", "Penapis"),
}

# The ministry / management report (read.report): its own sections and column names.
_REPORT_PAIRS: dict[str, tuple[str, str]] = {
    "title": ("Microcredential and MOOC KPI report", "Laporan KPI Mikrokredensial dan MOOC"),
    "subtitle": ("Ministry and management report", "Laporan kementerian dan pengurusan"),
    "year": ("Year", "Tahun"),
    "scope": ("Scope", "Skop"),
    "scope.university": ("University (all PTj)", "Universiti (semua PTj)"),
    "as_of": ("Data as of", "Data setakat"),
    "as_of_short": ("Data as of {when}", "Data setakat {when}"),
    "malaysia_time": ("Malaysia time", "waktu Malaysia"),
    "run_id": ("ETL run", "Larian ETL"),
    "published_utc": ("Published (UTC)", "Diterbitkan (UTC)"),
    "generated": ("Report generated", "Laporan dijana"),
    "snapshot": ("Snapshot", "Snapshot"),
    "demo": ("DEMO DATA: generated figures, not the university's.", "DATA DEMO: angka dijana, bukan angka universiti."),
    "targets_as_of": ("Targets measured on", "Sasaran diukur pada"),
    "page": ("Page {n} of {total}", "Halaman {n} daripada {total}"),
    "contents": ("Contents", "Kandungan"),
    "notes": ("Notes", "Nota"),
    "note.small": (
        'Learner counts from 1 to {limit_minus} are shown as "<{limit}" below university level to protect '
        'learners\' privacy (with one more cell where needed so that they cannot be worked out from a total); '
        'a rate computed from a hidden count is shown as "-".',
        'Bilangan pelajar dari 1 hingga {limit_minus} ditunjukkan sebagai "<{limit}" di bawah peringkat universiti '
        'untuk melindungi privasi pelajar (dengan satu sel lagi jika perlu supaya ia tidak dapat dikira daripada '
        'jumlah); kadar yang dikira daripada bilangan tersembunyi ditunjukkan sebagai "-".',
    ),
    "note.rounded": (
        "Figures for your role are protected by HESA's rounding: every learner count is rounded to the nearest "
        "{base} (at every level), percentages and money per head are worked out from the rounded counts and "
        "hidden below {rate} learners. Rounded figures need not add up exactly.",
        "Angka bagi peranan anda dilindungi dengan kaedah pembundaran HESA: setiap bilangan pelajar dibundarkan "
        "kepada gandaan {base} terdekat (di setiap peringkat), peratusan dan wang bagi setiap pelajar dikira "
        "daripada bilangan yang dibundarkan dan disembunyikan di bawah {rate} pelajar. Angka yang dibundarkan "
        "tidak semestinya menjumlah dengan tepat.",
    ),
    "note.na": ('"n/a": not available (e.g. no step data to tell who started).',
                '"t/d": tiada data (cth. tiada data langkah untuk mengetahui siapa yang bermula).'),
    "note.money": ("Money is in Malaysian ringgit (RM), by payment date.",
                   "Wang dalam ringgit Malaysia (RM), mengikut tarikh bayaran."),
    "note.no_total": (
        "No total row: a total over the PTj in this report would reveal the learner counts hidden in its rows.",
        "Tiada baris jumlah: jumlah bagi PTj dalam laporan ini akan mendedahkan bilangan pelajar yang "
        "disembunyikan.",
    ),
    "na": ("n/a", "t/d"),
    "no_data": ("No data for {year}.", "Tiada data untuk {year}."),
    "none_listed": ("None.", "Tiada."),
    "total_university": ("University", "Universiti"),
    "total_scope": ("Total", "Jumlah"),
    # sections
    "sec.cover": ("Cover", "Kulit"),
    "sec.scorecard": ("Scorecard against targets", "Kad skor berbanding sasaran"),
    "sec.scorecard.sheet": ("Scorecard", "Kad skor"),
    "sec.scorecard.intro": (
        "Each yearly target with the value reached, the share achieved, the share of the year elapsed on {as_of} "
        "and the status.",
        "Setiap sasaran tahunan dengan nilai dicapai, peratus dicapai, peratus tahun yang berlalu pada {as_of} "
        "dan status.",
    ),
    "sec.scorecard.none": ("No targets are loaded for {year}.", "Tiada sasaran dimuatkan untuk {year}."),
    "sec.scorecard.chart": ("Share of target achieved (%); line: expected by {as_of}",
                            "Peratus sasaran dicapai (%); garis: dijangka setakat {as_of}"),
    "sec.courses": ("Courses offered, runs and new courses", "Kursus ditawarkan, sesi dan kursus baharu"),
    "sec.courses.sheet": ("Courses", "Kursus"),
    "sec.courses.intro": (
        "Courses with a run starting in {year}, the runs started, and courses launched in {year}.",
        "Kursus dengan sesi bermula pada {year}, sesi yang bermula, dan kursus yang dilancarkan pada {year}.",
    ),
    "sec.mix": ("MQA category mix", "Campuran kategori MQA"),
    "sec.mix.sheet": ("Category mix", "Campuran kategori"),
    "sec.mix.intro": (
        "MC courses offered in {year} (MOOCs left out) by MQA category, against the policy mix of "
        "{c1}% Category 1 and {c3}% Category 3.",
        "Kursus MC yang ditawarkan pada {year} (tidak termasuk MOOC) mengikut kategori MQA, berbanding campuran "
        "dasar {c1}% Kategori 1 dan {c3}% Kategori 3.",
    ),
    "sec.mix.overall": ("Mix for {scope}", "Campuran bagi {scope}"),
    "sec.mix.by_ptj": ("By PTj", "Mengikut PTj"),
    "sec.mix.chart": ("Share of MC courses by MQA category: actual vs target (%)",
                      "Peratusan kursus MC mengikut kategori MQA: sebenar berbanding sasaran (%)"),
    "col.cat1_courses": ("Category 1 courses", "Kursus Kategori 1"),
    "col.cat1_share": ("Category 1 share (%)", "Peratusan Kategori 1 (%)"),
    "col.cat3_courses": ("Category 3 courses", "Kursus Kategori 3"),
    "col.cat3_share": ("Category 3 share (%)", "Peratusan Kategori 3 (%)"),
    "col.other_courses": ("Other categories", "Kategori lain"),
    "sec.learners": ("Learners", "Pelajar"),
    "sec.learners.sheet": ("Learners", "Pelajar"),
    "sec.learners.intro": (
        "Enrolments and distinct learners in course runs starting in {year}. A learner in courses of two PTj "
        "counts in each PTj and once in the university total.",
        "Pendaftaran dan pelajar berbeza dalam sesi kursus yang bermula pada {year}. Pelajar dalam kursus dua PTj "
        "dikira dalam setiap PTj dan sekali dalam jumlah universiti.",
    ),
    "sec.outcomes": ("Completions and certificates", "Penyempurnaan dan sijil"),
    "sec.outcomes.sheet": ("Completions", "Penyempurnaan"),
    "sec.outcomes.intro": (
        "Completions of course runs starting in {year}; certificates issued and certificates bought in {year}.",
        "Penyempurnaan sesi kursus yang bermula pada {year}; sijil yang dikeluarkan dan dibeli pada {year}.",
    ),
    "sec.pathways": ("Microcredential pathways", "Laluan mikro-kredensial"),
    "sec.pathways.sheet": ("Pathways", "Laluan"),
    "sec.pathways.intro": (
        "Learners eligible for the Malaysian Micro-credential Statement in {year} and those with one; MMS and "
        "digital badges issued in {year}; completers of Category 1 MCs admitted to the accredited programme; net "
        "revenue per completer and per MMS. Definitions: docs/pathways.md.",
        "Pelajar yang layak menerima Penyata Mikro-kredensial Malaysia pada {year} dan yang telah menerimanya; MMS "
        "dan lencana digital dikeluarkan pada {year}; pelajar tamat MC Kategori 1 yang diterima masuk ke program "
        "bertauliah; hasil bersih bagi setiap pelajar tamat dan setiap MMS. Definisi: docs/pathways.md.",
    ),
    "sec.rate": ("Completion rate", "Kadar penyempurnaan"),
    "sec.rate.sheet": ("Completion rate", "Kadar penyempurnaan"),
    "sec.rate.intro": (
        "Learners who completed, over all enrolments and over learners who started (visited at least one step; "
        "only runs with step data can tell who started).",
        "Pelajar yang tamat, dibahagi semua pendaftaran dan dibahagi pelajar yang bermula (melawat sekurang-"
        "kurangnya satu langkah; hanya sesi dengan data langkah).",
    ),
    "sec.revenue": ("Revenue by PTj", "Hasil mengikut PTj"),
    "sec.revenue.sheet": ("Revenue", "Hasil"),
    "sec.revenue.intro": (
        "Money received in {year} by payment date, credited to the PTj on the receipt: MC fees and certificate "
        "income less refunds.",
        "Wang yang diterima pada {year} mengikut tarikh bayaran, dikreditkan kepada PTj pada resit: yuran MC dan "
        "pendapatan sijil tolak bayaran balik.",
    ),
    "sec.revenue.chart": ("Net revenue by PTj (RM)", "Hasil bersih mengikut PTj (RM)"),
    "sec.workload": ("Lecturer workload", "Beban tugas pensyarah"),
    "sec.workload.sheet": ("Workload", "Beban tugas"),
    "sec.workload.intro": (
        "MC and MOOC teaching per term by the lecturers' own PTj. Weighted hours = contact hours + {factor} x "
        "online hours; above {hours} weighted hours in a term is overloaded.",
        "Pengajaran MC dan MOOC setiap semester mengikut PTj pensyarah. Jam berwajaran = jam bersemuka + {factor} "
        "x jam dalam talian; melebihi {hours} jam berwajaran dalam satu semester ialah terlebih beban.",
    ),
    "sec.workload.by_ptj": ("Teaching load by PTj and term", "Beban pengajaran mengikut PTj dan semester"),
    "sec.workload.overloaded": ("Overloaded lecturers", "Pensyarah terlebih beban"),
    "sec.workload.orphans": ("Courses whose owner has left (runs running or upcoming on {as_of})",
                             "Kursus yang pemiliknya telah keluar (sesi berjalan atau akan datang pada {as_of})"),
    "sec.definitions": ("KPI definitions", "Definisi KPI"),
    "sec.definitions.sheet": ("Definitions", "Definisi"),
    "sec.definitions.intro": (
        "Every figure in this report comes from one of these KPIs (queries/kpi/<id>.sql).",
        "Setiap angka dalam laporan ini datang daripada salah satu KPI ini (queries/kpi/<id>.sql).",
    ),
    "col.ptj_code": ("PTj", "PTj"),
    "col.ptj_name": ("PTj name", "Nama PTj"),
    "col.kpi": ("KPI", "KPI"),
    "col.scope_label": ("Scope", "Skop"),
    "col.value": ("Value", "Nilai"),
    "col.kpi_id": ("KPI id", "ID KPI"),
    "col.unit": ("Unit", "Unit"),
    "col.definition": ("Definition", "Definisi"),
    "col.category": ("MQA category", "Kategori MQA"),
    "col.gap_pct": ("Gap (points)", "Jurang (mata)"),
    "col.new_mc_courses": ("New MC", "MC baharu"),
    "col.new_mooc_courses": ("New MOOC", "MOOC baharu"),
    "col.completed_starters": ("Completed (of starters)", "Tamat (yang bermula)"),
    "unit.count": ("count", "bilangan"),
    "unit.pct": ("percent", "peratus"),
    "unit.rm": ("RM", "RM"),
    "unit.hours": ("hours", "jam"),
    "unit.days": ("days", "hari"),
}

# The sign-in page and the session (dashboard.auth).
_AUTH_PAIRS: dict[str, tuple[str, str]] = {
    "sign_in": ("Sign in", "Log masuk"),
    "sign_in_sso": ("Sign in with your university account", "Log masuk dengan akaun universiti anda"),
    "username": ("Username", "Nama pengguna"),
    "password": ("Password", "Kata laluan"),
    "sign_out": ("Sign out", "Log keluar"),
    "invalid": ("Wrong username or password.", "Nama pengguna atau kata laluan salah."),
    "locked": ("Too many failed sign-ins for this username. Try again in {minutes} min.",
               "Terlalu banyak cubaan log masuk yang gagal bagi nama pengguna ini. Cuba lagi dalam {minutes} min."),
    "please": ("Please sign in to see the dashboard.", "Sila log masuk untuk melihat papan pemuka."),
    "expired": ("Your session ended ({why}). Please sign in again.",
                "Sesi anda telah tamat ({why}). Sila log masuk semula."),
    "why.idle": ("no activity for a while", "tiada aktiviti untuk seketika"),
    "why.absolute": ("signed in too long ago", "log masuk terlalu lama dahulu"),
    "why.account changed": ("your account was changed", "akaun anda telah diubah"),
    "refuse": (
        "This dashboard holds real data and no sign-in is configured, so it will not start. Configure the "
        "university's identity provider in .streamlit/secrets.toml ([auth]) or create local accounts with "
        "`mckpi user add USERNAME --role management`, then reload. (Demo mode, MCKPI_DEMO=1, works only with "
        "demo data.)",
        "Papan pemuka ini mengandungi data sebenar dan tiada log masuk dikonfigurasi, jadi ia tidak akan "
        "dimulakan. Konfigurasikan penyedia identiti universiti dalam .streamlit/secrets.toml ([auth]) atau "
        "cipta akaun tempatan dengan `mckpi user add NAMA --role management`, kemudian muat semula.",
    ),
    "not_authorised": ("Your account ({user}) has no access to this dashboard. Ask the dashboard team for a role.",
                       "Akaun anda ({user}) tiada akses ke papan pemuka ini. Minta peranan daripada pasukan papan "
                       "pemuka."),
    "config_error": ("The access configuration is invalid: {error}", "Konfigurasi akses tidak sah: {error}"),
    "signed_in_as": ("Signed in as **{user}** · {role}", "Log masuk sebagai **{user}** · {role}"),
    "demo": ("Demo mode — demo data", "Mod demo — data demo"),
    "not_permitted": ("Not permitted: your role ({role}) cannot open this page.",
                      "Tidak dibenarkan: peranan anda ({role}) tidak boleh membuka halaman ini."),
    "audit.title": ("Audit log", "Log audit"),
    "audit.intro": ("Sign-ins, failed sign-ins, sign-outs, refused pages and downloads (newest first).",
                    "Log masuk, log masuk gagal, log keluar, halaman ditolak dan muat turun (terbaru dahulu)."),
    "audit.event": ("Event", "Peristiwa"),
    "audit.user": ("User", "Pengguna"),
    "audit.none": ("Nothing recorded yet.", "Belum ada rekod."),
    "audit.action": ("Action", "Tindakan"),
    "audit.dates": ("Dates (Malaysia time)", "Tarikh (waktu Malaysia)"),
    "audit.any": ("Any", "Semua"),
    "audit.col.when": ("When (Malaysia time)", "Bila (waktu Malaysia)"),
    "audit.col.action": ("Action", "Tindakan"),
    "audit.col.user": ("User", "Pengguna"),
    "audit.col.role": ("Role", "Peranan"),
    "audit.col.page": ("Page", "Halaman"),
    "audit.col.what": ("What", "Apa"),
    "audit.col.filters": ("Filters", "Penapis"),
    "audit.col.details": ("Details", "Butiran"),
    "audit.ev.login": ("Signed in", "Log masuk"),
    "audit.ev.login_failed": ("Sign-in failed", "Log masuk gagal"),
    "audit.ev.login_locked": ("Account locked", "Akaun dikunci"),
    "audit.ev.logout": ("Signed out", "Log keluar"),
    "audit.ev.session_expired": ("Session expired", "Sesi tamat"),
    "audit.ev.access_denied": ("Page refused", "Halaman ditolak"),
    "audit.ev.download": ("Download", "Muat turun"),
    "audit.ev.subscription_send": ("Report e-mailed", "Laporan dihantar melalui e-mel"),
    "audit.ev.alert": ("Alert sent", "Amaran dihantar"),
    "report.download_xlsx": ("Ministry report {year} (Excel)", "Laporan kementerian {year} (Excel)"),
    "report.download_pdf": ("Ministry report {year} (PDF)", "Laporan kementerian {year} (PDF)"),
    "kpi_denied": ("Not available for your role.", "Tidak tersedia untuk peranan anda."),
    "role.management": ("management", "pengurusan"),
    "role.ptj": ("PTj", "PTj"),
    "role.lecturer": ("lecturer", "pensyarah"),
    "role.viewer": ("viewer", "pemerhati"),
}



TEXT: dict[str, dict[str, str]] = {
    **{key: {"en": en, "ms": ms} for key, (en, ms) in _PAIRS.items()},
    **{f"report.{key}": {"en": en, "ms": ms} for key, (en, ms) in _REPORT_PAIRS.items()},
    **{f"auth.{key}": {"en": en, "ms": ms} for key, (en, ms) in _AUTH_PAIRS.items()},
}
"""One word list for the app, the reports and the sign-in page, in both languages."""


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The text for `key` in `lang` (English when none is given: the app passes the session's language through
    dashboard.words), with {placeholders} filled from `values`."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    text = entry[lang if lang in LANGS else DEFAULT_LANG]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in TEXT


def label(prefix: str, value: object, lang: str | None = None) -> str:
    """A translated value label such as mode.blended -> 'Teradun'; the raw value when none is known."""
    key = f"{prefix}.{value}"
    return t(key, lang) if key in TEXT else str(value)


def column(name: str, lang: str | None = None) -> str:
    """A translated column header; an unknown column keeps a readable form of its name."""
    key = f"col.{name}"
    if key in TEXT:
        return t(key, lang)
    # A column named by data (a course title in a side-by-side table) stays as it is.
    return name.replace("_", " ").capitalize() if re.fullmatch(r"[a-z0-9_]+", name) else name
