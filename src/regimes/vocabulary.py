"""The product's vocabulary: steps, actors, target groups, statuses, confidence tags.

Why a module of its own: every layer (case model, ruleset language, evaluation, diff)
speaks these words, and the contract (``shared/design/contract.md``) lets us *add* names
but never rename them. Keeping them in one place makes an addition one edit, and lets the
YAML schema, the case schema and the JSON output agree by construction.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """A process step an actor performs (contract "Vocabulary", plus the brief's additions)."""

    JOB_INTERVIEW = "job_interview"
    JOINT_INTERVIEW = "joint_interview"
    AVAILABILITY_INTERVIEW = "availability_interview"
    CV_INTERVIEW = "cv_interview"
    OFFER = "offer"
    EDUCATION_ORDER = "education_order"
    INTENSIFIED_EFFORT = "intensified_effort"
    CLARIFICATION = "clarification"
    SICKNESS_VISITATION = "sickness_visitation"
    SICKNESS_FOLLOWUP_INTERVIEW = "sickness_followup_interview"
    SICKNESS_REASSESSMENT = "sickness_reassessment"
    REHABILITATION_TEAM = "rehabilitation_team"
    MEDICAL_CERTIFICATE = "medical_certificate"
    # Additions proposed by the domain brief (glossary.md, "Vocabulary extensions").
    JOB_ORIENTED_EDUCATION = "job_oriented_education"
    CV_REGISTRATION = "cv_registration"
    EMPLOYER_ABSENCE_INTERVIEW = "employer_absence_interview"


class Actor(StrEnum):
    """Who performs a step."""

    JOBCENTER = "jobcenter"
    MUNICIPALITY = "municipality"
    A_KASSE = "a_kasse"
    CITIZEN = "citizen"
    EMPLOYER = "employer"


class TargetGroup(StrEnum):
    """LAB § 6 target groups (glossary.md, "LAB § 6 target groups")."""

    DAGPENGE = "dagpenge"
    KONTANTHJAELP_JOBPARAT = "kontanthjaelp_jobparat"
    KONTANTHJAELP_AKTIVITETSPARAT = "kontanthjaelp_aktivitetsparat"
    UDDANNELSESHJAELP_UDDANNELSESPARAT = "uddannelseshjaelp_uddannelsesparat"
    UDDANNELSESHJAELP_AKTIVITETSPARAT = "uddannelseshjaelp_aktivitetsparat"
    SYGEDAGPENGE = "sygedagpenge"
    JOBAFKLARING = "jobafklaring"
    RESSOURCEFORLOEB = "ressourceforloeb"
    LEDIGHEDSYDELSE = "ledighedsydelse"
    REVALIDERING = "revalidering"


class Status(StrEnum):
    """The status of an obligation on the evaluation date (concepts.md, "Evaluation")."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    MET = "met"
    SUSPENDED = "suspended"
    EXEMPTED = "exempted"
    WAIVABLE = "waivable"


class RightStatus(StrEnum):
    """Whether a right can be exercised on the evaluation date (§ 106 pauses duties, not rights)."""

    UPCOMING = "upcoming"
    OPEN = "open"
    EXEMPTED = "exempted"


class Confidence(StrEnum):
    """How sure the brief is of a rule (domain README, "Confidence tags")."""

    SEEN = "seen"
    SECONDARY = "secondary"
    INFERRED = "inferred"
    UNVERIFIED = "unverified"


class RegimeStatus(StrEnum):
    """A regime's legal standing; only ``in_force`` and ``expired`` take part in resolution."""

    IN_FORCE = "in_force"
    EXPIRED = "expired"
    PROPOSED = "proposed"
    NEVER_IN_FORCE = "never_in_force"


class OfferType(StrEnum):
    """Kinds of offer (LAB kap. 10–14) an ``offer`` event may carry."""

    VIRKSOMHEDSPRAKTIK = "virksomhedspraktik"
    LOENTILSKUD = "loentilskud"
    OVO = "ovo"
    EDUCATION = "education"
    NYTTEINDSATS = "nytteindsats"
    MENTOR = "mentor"
    READING_WRITING_COURSE = "reading_writing_course"
    PRIOR_LEARNING_ASSESSMENT = "prior_learning_assessment"


class ExemptionGround(StrEnum):
    """LAB § 106, stk. 1, nr. 1–4 (contract, "JSON of a case")."""

    START_WITHIN_6_WEEKS = "start_within_6_weeks"
    TEMPORARY_LAYOFF = "temporary_layoff"
    WORK_SHARING = "work_sharing"
    EDUCATION_WITHIN_6_WEEKS = "education_within_6_weeks"


class InterviewForm(StrEnum):
    """How an interview was held (recorded; no rule checks the form, per the brief)."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    DIGITAL = "digital"
    VIDEO = "video"
    LETTER = "letter"


# Actors that are the same authority for counting purposes: lov nr. 1750/2025 renames
# "jobcenteret" to "kommunen", and the jobcentre is the municipality's employment service,
# so an interview recorded by either counts for a rule naming either.
EQUIVALENT_ACTORS: dict[Actor, frozenset[Actor]] = {
    Actor.JOBCENTER: frozenset({Actor.JOBCENTER, Actor.MUNICIPALITY}),
    Actor.MUNICIPALITY: frozenset({Actor.JOBCENTER, Actor.MUNICIPALITY}),
    Actor.A_KASSE: frozenset({Actor.A_KASSE}),
    Actor.CITIZEN: frozenset({Actor.CITIZEN}),
    Actor.EMPLOYER: frozenset({Actor.EMPLOYER}),
}
