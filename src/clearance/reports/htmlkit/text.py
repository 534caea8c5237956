"""Every user-interface string of the HTML report, in English and Korean.

The static page carries both languages side by side (``<span class="en" lang="en">`` and
``<span class="ko" lang="ko">``); a stylesheet rule hides the inactive one, so switching language
needs no re-rendering and screen readers read only the visible text in its own language. The
embedded script gets the same table (``UI``) for the parts it renders itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from .markup import Html, esc

LANGS = ("en", "ko")

VERDICTS = ("FAIL", "ERROR", "NEEDS_CONTEXT", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE")
"""In the order a reader should see them: what needs action first."""
SEVERITIES = ("critical", "high", "medium", "low", "info")
FAMILIES = ("encryption", "isolation", "logging", "gen-ai")

UI: dict[str, tuple[str, str]] = {
    "title": ("Cloud posture report", "클라우드 보안 점검 보고서"),
    "language": ("Language", "언어"),
    "skip": ("Skip to the findings", "점검 결과로 건너뛰기"),
    "contents": ("Contents", "목차"),
    "nav.summary": ("Summary", "요약"),
    "nav.posture": ("Results by control", "통제별 결과"),
    "nav.frameworks": ("Frameworks", "규제 프레임워크"),
    "nav.findings": ("Findings", "점검 결과"),
    "nav.gaps": ("Coverage gaps", "미평가 범위"),
    "nav.exceptions": ("Exceptions", "예외"),
    "nav.attestations": ("Attestations", "확인서"),
    # completeness
    "badge.complete": ("Complete", "완전"),
    "badge.incomplete": ("INCOMPLETE", "불완전"),
    "banner.incomplete": (
        "Incomplete scan: part of the posture is unknown",
        "불완전한 스캔: 보안 상태의 일부를 알 수 없습니다",
    ),
    "banner.incomplete.detail": (
        "{gaps} check × account × region combination(s) were not evaluated and {errors} finding(s) are errors. "
        "Missing data is never counted as passing: the results below do not show the full posture.",
        "점검 × 계정 × 리전 조합 {gaps}개가 평가되지 않았고 결과 {errors}건이 오류입니다. "
        "누락된 데이터는 충족으로 간주하지 않으므로, 아래 결과는 전체 보안 상태를 보여 주지 않습니다.",
    ),
    "banner.incomplete.link": ("See the coverage gaps", "미평가 범위 보기"),
    "banner.complete": ("Complete scan", "완전한 스캔"),
    "banner.complete.detail": (
        "Every check was evaluated for every account and region in scope, with no errors.",
        "범위 내 모든 계정과 리전에 대해 모든 점검이 오류 없이 평가되었습니다.",
    ),
    "banner.undecided": (
        "{context} finding(s) need context and {manual} need a manual check: they are neither passing nor failing.",
        "결과 {context}건은 추가 정보가 필요하고 {manual}건은 수동 확인이 필요합니다. 충족도 미충족도 아닙니다.",
    ),
    # scan facts
    "fact.provider": ("Cloud", "클라우드"),
    "fact.accounts": ("Accounts", "계정"),
    "fact.regions": ("Regions", "리전"),
    "fact.started": ("Scan started", "스캔 시작"),
    "fact.finished": ("Scan finished", "스캔 종료"),
    "fact.profile": ("Profile", "프로파일"),
    "fact.content": ("Content pack", "콘텐츠 팩"),
    "fact.tool": ("Scanner", "스캐너"),
    "fact.source": ("Source", "원본"),
    "fact.more": ("{n} more", "외 {n}개"),
    "source.scan": ("scan directory", "스캔 디렉터리"),
    "source.package": (
        "evidence package (this report does not check its signature: run clearance verify)",
        "증거 패키지(이 보고서는 서명을 검증하지 않습니다. clearance verify로 확인하십시오)",
    ),
    "content.checks": ("{n} checks", "점검 {n}개"),
    # key figures
    "kpi.findings": ("Findings", "점검 결과"),
    "kpi.resources": ("Resources", "자원"),
    "kpi.fail": ("Failing", "미충족"),
    "kpi.error": ("Errors", "오류"),
    "kpi.gaps": ("Not evaluated", "미평가"),
    "kpi.pass": ("Passing", "충족"),
    "kpi.undecided": ("Undecided", "미결정"),
    "kpi.muted": ("Accepted by exception", "예외 승인"),
    "kpi.high": ("{critical} critical · {high} high", "긴급 {critical} · 높음 {high}"),
    "kpi.undecided.detail": ("context {context} · manual {manual}", "추가 정보 {context} · 수동 {manual}"),
    "kpi.gaps.detail": ("of {total} check × account × region", "점검 × 계정 × 리전 {total}개 중"),
    "kpi.show": ("Show these findings", "이 결과 보기"),
    # verdicts
    "v.PASS": ("Pass", "충족"),
    "v.FAIL": ("Fail", "미충족"),
    "v.ERROR": ("Error", "오류"),
    "v.NOT_APPLICABLE": ("Not applicable", "해당 없음"),
    "v.MANUAL": ("Manual", "수동 확인"),
    "v.NEEDS_CONTEXT": ("Needs context", "추가 정보 필요"),
    "v.MUTED": ("Muted by exception", "예외 승인"),
    # severities
    "s.critical": ("Critical", "긴급"),
    "s.high": ("High", "높음"),
    "s.medium": ("Medium", "중간"),
    "s.low": ("Low", "낮음"),
    "s.info": ("Info", "정보"),
    # requirement status and class
    "st.satisfied": ("Satisfied", "충족"),
    "st.not_satisfied": ("Not satisfied", "미충족"),
    "st.partly": ("Partly", "부분 충족"),
    "st.manual_pending": ("Manual pending", "수동 확인 대기"),
    "st.not_evaluated": ("Not evaluated", "평가 불가"),
    "st.not_applicable": ("Not applicable", "해당 없음"),
    "cl.automated": ("Automated", "자동"),
    "cl.partial": ("Partly automated", "부분 자동"),
    "cl.manual": ("Manual", "수동"),
    "cl.not_applicable": ("Not applicable", "해당 없음"),
    # coverage
    "cov.evaluated": ("Evaluated", "평가됨"),
    "cov.no_resources": ("No resources", "대상 자원 없음"),
    "cov.not_evaluated": ("Not evaluated", "미평가"),
    "cov.scoped_out": (
        "{n} of the 'no resources' entries had resources that the scope filtered out.",
        "'대상 자원 없음' 중 {n}개는 자원이 있었으나 스캔 범위에서 제외되었습니다.",
    ),
    # families
    "fam.encryption": ("Encryption", "암호화"),
    "fam.isolation": ("Isolation and access", "격리 및 접근 통제"),
    "fam.logging": ("Logging and monitoring", "로깅 및 모니터링"),
    "fam.gen-ai": ("Generative AI", "생성형 AI"),
    "fam.other": ("Other", "기타"),
    # charts
    "chart.verdicts": ("Verdicts", "판정 분포"),
    "chart.coverage": ("Coverage", "평가 범위"),
    "chart.families": ("By control family", "통제 영역별"),
    "chart.controls": ("By control", "통제별"),
    "chart.family_coverage": ("Coverage by control family", "통제 영역별 평가 범위"),
    "chart.status": ("Requirement status", "요구사항 상태"),
    "chart.class": ("Requirement class", "요구사항 유형"),
    "chart.total": ("{n} total", "총 {n}"),
    "chart.na": ("{n} not applicable", "해당 없음 {n}"),
    "chart.empty": ("no findings", "결과 없음"),
    "chart.nocheck": ("no check on this cloud", "이 클라우드에 점검 없음"),
    "chart.hint": ("Select a control to list its findings.", "통제를 선택하면 해당 점검 결과를 볼 수 있습니다."),
    "chart.legend": ("Legend", "범례"),
    # frameworks
    "fw.none": (
        "No framework covers this cloud in the content pack used by the scan.",
        "스캔에 사용된 콘텐츠 팩에는 이 클라우드를 다루는 프레임워크가 없습니다.",
    ),
    "fw.requirements": ("{n} requirements", "요구사항 {n}개"),
    "fw.table": ("Requirements ({n})", "요구사항 ({n})"),
    "fw.col.id": ("ID", "ID"),
    "fw.col.requirement": ("Requirement", "요구사항"),
    "fw.col.class": ("Class", "유형"),
    "fw.col.status": ("Status", "상태"),
    "fw.col.reason": ("Reason", "근거"),
    "fw.col.confidence": ("Source", "출처 신뢰도"),
    "fw.col.findings": ("Findings behind it", "관련 결과"),
    "fw.conf.legend": ("Source confidence:", "출처 신뢰도:"),
    "conf.C": ("confirmed in a cited source", "인용 출처에서 확인"),
    "conf.P": ("partly confirmed", "일부 확인"),
    "conf.U": ("uncertain: an interpretation", "불확실(해석)"),
    "fw.attestation": ("Attestation needed:", "필요한 확인서:"),
    "fw.attested": ("Attested by:", "확인서:"),
    "fw.expired": ("Expired or not yet valid:", "만료 또는 유효 전:"),
    "fw.exceptions": ("Exceptions applied:", "적용된 예외:"),
    "fw.note": ("Note:", "참고:"),
    "fw.checks": ("{n} checks", "점검 {n}개"),
    "fw.refs": ("{shown} of {total} non-passing findings", "충족하지 않은 결과 {total}건 중 {shown}건"),
    "fw.show": ("Show in the findings table", "점검 결과 표에서 보기"),
    "fw.nofindings": ("none", "없음"),
    # findings table
    "f.filters": ("Filter the findings", "점검 결과 필터"),
    "f.search": ("Search", "검색"),
    "f.search.hint": ("check id, title, resource, reason", "점검 ID, 제목, 자원, 사유"),
    "f.verdict": ("Verdict", "판정"),
    "f.severity": ("Severity", "심각도"),
    "f.control": ("Control", "통제"),
    "f.check": ("Check", "점검"),
    "f.account": ("Account", "계정"),
    "f.region": ("Region", "리전"),
    "f.resource": ("Resource", "자원"),
    "f.reason": ("Reason", "사유"),
    "f.all": ("All", "전체"),
    "f.attention": ("Needs attention (fail, error, context, manual)", "조치 필요(미충족·오류·추가 정보·수동)"),
    "f.reset": ("Reset filters", "필터 초기화"),
    "f.requirement": ("Requirement {id}", "요구사항 {id}"),
    "f.remove": ("Remove this filter", "이 필터 해제"),
    "f.showing": ("Showing {from}–{to} of {n} findings", "결과 {n}건 중 {from}–{to}건 표시"),
    "f.filtered": ("(filtered from {total})", "(전체 {total}건 중)"),
    "f.none": ("No findings match these filters.", "조건에 맞는 결과가 없습니다."),
    "f.first": ("First page", "첫 쪽"),
    "f.prev": ("Previous page", "이전 쪽"),
    "f.next": ("Next page", "다음 쪽"),
    "f.last": ("Last page", "마지막 쪽"),
    "f.page": ("Page {page} of {pages}", "{pages}쪽 중 {page}쪽"),
    "f.details": ("Details", "상세"),
    "f.sort": ("Sort by {col}", "{col} 기준 정렬"),
    "f.noscript": (
        "The findings table needs JavaScript. "
        "findings.json and findings.csv in the evidence package hold every finding.",
        "점검 결과 표를 보려면 JavaScript가 필요합니다. "
        "모든 결과는 증거 패키지의 findings.json과 findings.csv에 있습니다.",
    ),
    "f.print": (
        "Printed copies show the current page of the findings table only; findings.csv holds all of them.",
        "인쇄본에는 점검 결과 표의 현재 쪽만 포함됩니다. 전체 결과는 findings.csv에 있습니다.",
    ),
    "d.rationale": ("Why it matters", "점검 이유"),
    "d.remediation": ("How to fix", "조치 방법"),
    "d.type": ("Resource type", "자원 유형"),
    "d.id": ("Resource id", "자원 ID"),
    "d.controls": ("Controls", "통제"),
    "d.underlying": ("Verdict before the exception", "예외 적용 전 판정"),
    "d.exception": ("Exception", "예외"),
    "d.attestation": ("Attestation", "확인서"),
    "d.expires": ("expires {date}", "{date} 만료"),
    "d.error": ("Failed call", "실패한 호출"),
    "d.permission": ("Permission needed", "필요한 권한"),
    "d.denied": ("denied", "거부됨"),
    "d.dependency": ("In scope because an in-scope resource depends on it", "범위 내 자원이 의존하므로 포함됨"),
    "d.references": ("References", "참고 자료"),
    # coverage gaps
    "gaps.none": ("No coverage gaps: every check was evaluated.", "미평가 범위 없음: 모든 점검이 평가되었습니다."),
    "gaps.intro": (
        "These checks could not be evaluated. Nothing is claimed about them, either way.",
        "아래 점검은 평가할 수 없었으며, 충족 여부를 어느 쪽으로도 주장하지 않습니다.",
    ),
    "gaps.more": ("{n} more entries are in coverage.json.", "나머지 {n}개 항목은 coverage.json에 있습니다."),
    "gaps.code": ("Error", "오류"),
    "gaps.operation": ("Call", "호출"),
    "gaps.message": ("Message", "메시지"),
    # exceptions and attestations
    "x.intro": (
        "Accepted risks from the exceptions register. A muted finding keeps its underlying verdict.",
        "예외 대장에 등록된 수용 위험입니다. 예외 승인된 결과도 원래 판정을 유지합니다.",
    ),
    "x.id": ("ID", "ID"),
    "x.scope": ("Check or control", "점검 또는 통제"),
    "x.resources": ("Resources", "자원"),
    "x.status": ("Status", "상태"),
    "x.approver": ("Approver", "승인자"),
    "x.created": ("Created", "등록일"),
    "x.expires": ("Expires", "만료일"),
    "x.justification": ("Justification", "사유"),
    "x.ticket": ("Ticket", "티켓"),
    "x.matched": ("Findings covered", "해당 결과"),
    "x.register": (
        "Register {source}, judged at {as_of} (SHA-256 {sha256})",
        "대장 {source}, 판정 기준일 {as_of} (SHA-256 {sha256})",
    ),
    "x.totals": (
        "{applied} applied · {unused} unused · {expired} expired · {not_yet_valid} not yet valid"
        " · {muted} finding(s) muted",
        "적용 {applied} · 미사용 {unused} · 만료 {expired} · 유효 전 {not_yet_valid} · 예외 승인된 결과 {muted}건",
    ),
    "xs.applied": ("applied", "적용"),
    "xs.unused": ("in force, covers nothing", "유효, 해당 결과 없음"),
    "xs.expired": ("expired", "만료"),
    "xs.not_yet_valid": ("not yet valid", "유효 전"),
    "xs.valid": ("valid", "유효"),
    "a.intro": (
        "Statements by named owners for what a configuration scan cannot observe.",
        "구성 점검으로 확인할 수 없는 사항에 대한 책임자의 확인서입니다.",
    ),
    "a.covers": ("Covers", "대상"),
    "a.owner": ("Owner", "책임자"),
    "a.statement": ("Statement", "확인 내용"),
    "a.evidence": ("Evidence files", "증빙 파일"),
    "a.totals": (
        "{valid} valid · {expired} expired · {not_yet_valid} not yet valid · {attested} manual finding(s) attested",
        "유효 {valid} · 만료 {expired} · 유효 전 {not_yet_valid} · 확인서가 있는 수동 점검 결과 {attested}건",
    ),
    # footer
    "footer.generated": (
        "Generated by clearance {version} for the scan that finished at {finished}; "
        "the same scan always gives the same file.",
        "clearance {version}이(가) {finished}에 종료된 스캔으로 생성했습니다. 같은 스캔은 항상 같은 파일을 만듭니다.",
    ),
    "footer.data": (
        "Every value here comes from findings.json and coverage.json of the scan; "
        "they hold the observed values behind each verdict.",
        "이 보고서의 모든 값은 스캔의 findings.json과 coverage.json에서 왔으며, "
        "각 판정의 근거가 된 관측값도 그 파일에 있습니다.",
    ),
    "yes": ("yes", "예"),
    "no": ("no", "아니요"),
}


def text(key: str, lang: str, **values: object) -> str:
    """One language of a UI string, with ``{name}`` placeholders filled."""
    template = UI[key][LANGS.index(lang)]
    return template.format(**values) if values else template


def bi(en: str, ko: str | None = None) -> Html:
    """Both languages as sibling spans (one when they are the same)."""
    if ko is None or ko == en:
        return esc(en)
    return Html(f'<span class="en" lang="en">{esc(en)}</span><span class="ko" lang="ko">{esc(ko)}</span>')


def t(key: str, **values: object) -> Html:
    """A UI string in both languages."""
    return bi(text(key, "en", **values), text(key, "ko", **values))


def tr(value: Mapping[str, str] | None, fallback: str = "") -> Html:
    """Bilingual content text (a title, a reason) from the data; English stands in for missing Korean."""
    if not value:
        return esc(fallback)
    en = value.get("en") or fallback
    return bi(en, value.get("ko") or en)
