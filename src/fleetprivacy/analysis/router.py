"""`POST /analyse/preformattedPrivacy`: the reference's analysis, plus CSV, XLSX and HTML of the same report.

Thin: rules live in `analysis.service`; this module only picks the output format and streams it.
"""

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response, StreamingResponse

from fleetprivacy.analysis import exports, html, schemas, service, wire
from fleetprivacy.analysis.report import Report
from fleetprivacy.core.deps import CtxDep, SessionDep
from fleetprivacy.core.errors import BadInput

router = APIRouter(prefix="/analyse", tags=["analysis"])

JSON, CSV, XLSX, HTML = "json", "csv", "xlsx", "html"
_MEDIA = {
    JSON: "application/json",
    CSV: exports.CSV_MEDIA_TYPE,
    XLSX: exports.XLSX_MEDIA_TYPE,
    HTML: "text/html; charset=utf-8",
}
_ACCEPT = {"text/csv": CSV, exports.XLSX_MEDIA_TYPE: XLSX, "text/html": HTML, "application/json": JSON}
_PIECE = 256 * 1024  # bytes per streamed piece: few, large writes


def negotiate(format_param: str | None, accept: str | None) -> str:
    """`?format=` when given, else the first type of `Accept` we produce, else JSON."""
    if format_param is not None:
        value = format_param.strip().lower()
        if value not in _MEDIA:
            raise BadInput(f"format must be one of {', '.join(_MEDIA)}; got {format_param[:30]!r}")
        return value
    for item in (accept or "").split(","):
        media = item.split(";", 1)[0].strip().lower()
        if media in _ACCEPT:
            return _ACCEPT[media]
        if media in ("*/*", "application/*"):
            return JSON
    return JSON


def _coalesce(pieces: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= _PIECE:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _file_chunks(handle: Any) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_PIECE):
            yield chunk
    finally:
        handle.close()


def _filename(report: Report, bean: dict[str, Any], ext: str) -> str:
    debut, fin = bean["periode"]["debut"][:10], bean["periode"]["fin"][:10]
    return f"analyse_{report.mode.name}_{debut}_{fin}.{ext}"


def _respond(report: Report, bean: dict[str, Any], fmt: str) -> Response:
    if fmt == XLSX:
        handle = exports.xlsx_file(report)
        headers = {"Content-Disposition": f'attachment; filename="{_filename(report, bean, XLSX)}"'}
        return StreamingResponse(_file_chunks(handle), media_type=_MEDIA[XLSX], headers=headers)
    headers = {}
    if fmt == JSON:
        pieces = wire.iter_json(report, bean, html.iter_html(report, bean))
    elif fmt == HTML:
        pieces = html.iter_html(report, bean)
    else:
        pieces = exports.iter_csv(report)
        headers["Content-Disposition"] = f'attachment; filename="{_filename(report, bean, CSV)}"'
    if not report.mode.detail:
        # Small: send it whole (with a Content-Length); DETAIL reports stream.
        return Response(b"".join(_coalesce(pieces)), media_type=_MEDIA[fmt], headers=headers)
    return StreamingResponse(_coalesce(pieces), media_type=_MEDIA[fmt], headers=headers)


@router.post(
    "/preformattedPrivacy",
    summary="Private vs professional usage report (ten render modes; JSON, CSV or XLSX)",
    response_model=None,
    responses={
        200: {
            "description": "`[{mode, synthesisTreeByDriver, htmlTable, synthesisTreeByVehicle, bean}]` (JSON), "
            "or the same report as CSV, XLSX or an HTML page.",
            "content": {
                "application/json": {},
                "text/csv": {},
                exports.XLSX_MEDIA_TYPE: {},
                "text/html": {},
            },
        }
    },
)
def preformatted_privacy(
    ctx: CtxDep,
    session: SessionDep,
    request: Request,
    body: Annotated[schemas.AnalyseRequest, Body(openapi_examples={"reference": {"value": schemas.REQUEST_EXAMPLE}})],
    format: Annotated[  # noqa: A002 (the query parameter's name)
        str | None,
        Query(description="json (default), csv, xlsx or html; without it the `Accept` header decides."),
    ] = None,
) -> Any:
    """Private vs professional usage (time, distance, fuel, electricity, cost) per driver or vehicle,
    in the tree of entities, over a period; by day in DETAIL.

    Figures are sums of the stored per-step classification; a step crossing the period's bounds counts
    for its part inside. A DRIVER sees only their own usage. See docs/api-analysis.md.
    """
    fmt = negotiate(format, request.headers.get("accept"))
    report, bean = service.analyse(session, ctx, body)
    return _respond(report, bean, fmt)
