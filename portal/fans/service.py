"""The fans service: the ledger helpers other features call (`record`, `retract`...) and staff's use cases.

The rules live in ledger.py (what a contribution earns, what an undo takes back) and curation.py
(voids, pins, notes, selections, settings); this module is the one name callers import.
"""
from .curation import (  # noqa: F401  (re-exported: callers read fans.service.<name>)
    NOTE_MAX,
    REASON_MAX,
    SELECTION_NAME_MAX,
    add_note,
    delete_selection,
    pin,
    save_selection,
    save_settings,
    selection_members,
    set_leaderboard_visibility,
    touch_contact,
    unpin,
    void_period,
)
from .ledger import (  # noqa: F401  (re-exported: callers read fans.service.<name>)
    NEW_ACCOUNT,
    SELF_KINDS,
    FansError,
    clock,
    has_event,
    hide_contribution,
    record,
    record_many,
    restore_contribution,
    restore_points,
    retract,
    retract_contribution,
    retract_everyone,
    suspend_points,
    void_events,
)
