"""All ORM models, imported here so Alembic and create_all see the whole schema."""

from .affairs import (
    AffairsAttendance,
    AffairsMeeting,
    Attachment,
    AttachmentContent,
    BodyPost,
    BodyTerm,
    Decision,
    RepresentedHousehold,
    Topic,
    TopicOpinion,
    TopicProgress,
)
from .auth import AuditEntry, Operator
from .base import Base
from .grid import Grid, GridPost, HouseholdMove, VillageMap
from .imports import ImportBatch
from .notices import Notice, Objection
from .org import MemberContact, MemberPost, OrgMembership, OrgPartner, PartyMember, PartyOrg
from .partywork import (
    AppraisalCount,
    AppraisalResult,
    AppraisalRound,
    DuesAssessment,
    DuesPayment,
    DuesRule,
    LostContact,
    LostContactSearch,
    MobileMember,
    TransferLetter,
)
from .people import Household, Resident, Tag, household_tags
from .points import Assessment, Attendance, HouseholdPointEntry, Meeting, PointEntry, PointRule
from .stars import (
    StarApplication,
    StarApplicationItem,
    StarCategory,
    StarChange,
    StarRound,
    StarRoundStep,
)
from .tickets import ServiceItem, Ticket, TicketAssignee, TicketCategory, TicketEvent
from .township import PackageSnapshot, VillageKey
from .unit import CalendarOverride, Setting, Unit

__all__ = [
    "AppraisalCount", "AppraisalResult", "AppraisalRound", "DuesAssessment", "DuesPayment", "DuesRule",
    "LostContact", "LostContactSearch", "MobileMember", "TransferLetter",
    "AffairsAttendance", "AffairsMeeting", "Attachment", "AttachmentContent", "BodyPost", "BodyTerm", "Decision",
    "RepresentedHousehold", "Topic", "TopicOpinion", "TopicProgress",
    "Assessment", "Attendance", "AuditEntry", "Base", "CalendarOverride", "Grid", "GridPost",
    "Household", "HouseholdMove", "HouseholdPointEntry", "ImportBatch", "Meeting", "MemberContact", "MemberPost", "Notice",
    "Objection", "Operator", "OrgMembership", "OrgPartner", "PartyMember", "PartyOrg", "PointEntry", "PointRule",
    "Resident", "ServiceItem", "Setting", "StarApplication", "StarApplicationItem", "StarCategory",
    "StarChange", "StarRound", "StarRoundStep", "Tag", "Ticket", "TicketAssignee", "TicketCategory",
    "TicketEvent", "Unit", "VillageMap", "household_tags", "PackageSnapshot", "VillageKey",
]
