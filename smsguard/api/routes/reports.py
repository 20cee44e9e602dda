"""The monthly report to the regulator, as signed JSON, a workbook or a PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from smsguard.api.security import Services, permit
from smsguard.governance.credentials import Identity
from smsguard.reports.service import Format, build_report, render, report_signer
from smsguard.trace.published import institution_code

router = APIRouter(tags=["reports"])
Read = Annotated[Identity, Depends(permit("report.read"))]
MEDIA = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_BINARY = {"content": {media: {} for media in MEDIA.values()}, "description": "The report"}


@router.get("/reports/{period}", response_class=Response, responses={200: _BINARY},
            summary="The institution's report for a month (YYYY-MM)")  # fmt: skip
def report(
    period: str,
    services: Services,
    caller: Read,
    format: Annotated[Format, Query(description="json is signed with the log key")] = "json",
) -> Response:
    code = institution_code(services.database, caller.institution_id)
    signer = report_signer(services.settings, code) if format == "json" else None
    made = build_report(services.settings, services.database, code, period)
    data = render(made, format, signer=signer)
    name = f"smsguard-report-{code}-{made.period}.{format}"
    return Response(data, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
