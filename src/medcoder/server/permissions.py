"""Who may do what, declared as data: permission -> roles (issue 7, item 3).

Routes name a permission (``Depends(require("code"))``): what a role may do. Which records a
person may do it to is :mod:`medcoder.store.access` (minimum necessary, issue 18). Claims
examiners and attorneys read case material and comment but never change codes; the admin
manages users and policies and does not read patient data.
"""

from __future__ import annotations

from medcoder.store.base import Role

R = Role
_READERS = (R.CODER, R.CDI, R.PHYSICIAN, R.CLAIMS_EXAMINER, R.ATTORNEY, R.MANAGER)

PERMISSIONS: dict[str, tuple[Role, ...]] = {
    "read": _READERS,  # patient data, encounters, documents, codes, reports, cases
    "comment": _READERS,
    "upload": (R.CODER, R.CDI),
    "create_encounter": (R.CODER, R.CDI, R.MANAGER),
    "code": (R.CODER,),  # run the engine, accept / reject / edit / add, finalize
    "assign": (R.CODER, R.MANAGER),  # coders take from / give back to the pool; managers any
    "reopen": (R.MANAGER,),  # open a finalized encounter again (audited, with a reason)
    "share": (R.CODER, R.CDI, R.MANAGER),  # share a record they work with a named user
    "query": (R.CDI,),
    "answer_query": (R.PHYSICIAN,),
    # CDI program measures: counts by physician and rule, no patient data
    "query_metrics": (R.CDI, R.MANAGER, R.ADMIN),
    "write_report": (R.CODER, R.CDI, R.PHYSICIAN, R.MANAGER),
    "transition_report": (R.CODER, R.CDI, R.PHYSICIAN, R.MANAGER),  # per step: store.reports
    "manage_cases": (R.CODER, R.MANAGER),  # open cases, file records, run the analysis
    "classify_case": (R.CLAIMS_EXAMINER, R.MANAGER),  # confirm or change NPDB suggestions
    "export_claim": (R.CODER, R.MANAGER),  # 837P of a finalized encounter
    "dashboard": (R.MANAGER,),
    "audit": (R.MANAGER, R.ADMIN),
    "admin": (R.ADMIN,),
}


def allowed(permission: str, role: str | None) -> bool:
    return role is not None and role in PERMISSIONS[permission]
