"""The "Partnership MOU" template shipped with the product, in plain language.

Clauses are separated by blank lines. {partnership}, {parties}, {lead},
{start_date} and {end_date} are filled in when an MOU is created."""

NAME = "Partnership MOU"

SECTIONS = [
    (
        "parties",
        "Parties",
        "This memorandum is agreed between {parties}, who work "
        "together as the {partnership}. {lead} is the lead partner.",
    ),
    (
        "purpose",
        "Purpose and scope",
        "The partners agree to work together so that "
        "the people they serve in common receive coordinated, timely help.\n\n"
        "This memorandum covers the services, referrals and shared work described "
        "below. It does not change any partner's legal duties or its own policies.",
    ),
    (
        "background",
        "Background",
        "The partners serve many of the same people and "
        "families. They have agreed that writing down how they work together will "
        "make hand-offs safer and help them learn what works.",
    ),
    (
        "roles",
        "Roles and responsibilities",
        "Each partner names a point of contact "
        "for the partnership and keeps that information up to date.\n\n"
        "Each partner carries out the commitments assigned to it in this memorandum "
        "and reports progress at the partnership's regular reviews.",
    ),
    (
        "referrals",
        "Referral methods",
        "Partners refer people to one another with "
        "the person's agreement, using the partnership's referral protocol, and let "
        "the referring partner know the outcome.",
    ),
    (
        "resources",
        "Resources and cost sharing",
        "Each partner meets its own costs "
        "unless the partners agree otherwise in writing.\n\n"
        "Contributions of staff time, money and in-kind resources are recorded in the "
        "partnership's sustainability commitments.",
    ),
    (
        "data_sharing",
        "Data sharing and confidentiality",
        "Partners share personal "
        "information only with the person's consent or where the law allows, and only "
        "what the receiving partner needs.\n\n"
        "Each partner keeps shared information secure, limits access to staff who "
        "need it, and reports any breach to the other partners within two working "
        "days.",
    ),
    (
        "communication",
        "Communication and meetings",
        "The partners meet at least "
        "monthly to review shared work and at least quarterly to review the "
        "partnership as a whole.\n\n"
        "The lead partner circulates agendas in advance and minutes within one week.",
    ),
    (
        "governance",
        "Governance and decisions",
        "Decisions that affect all partners "
        "are made at partnership meetings by consensus; where consensus cannot be "
        "reached, each partner has one vote.",
    ),
    (
        "performance",
        "Performance measurement",
        "The partners agree on indicators "
        "of success, collect the data they are responsible for, and review progress "
        "together at least every quarter.",
    ),
    (
        "term",
        "Term",
        "This memorandum takes effect on {start_date} and continues "
        "until {end_date}, unless it is ended earlier under the termination section.",
    ),
    (
        "renewal",
        "Review and renewal",
        "The partners review this memorandum at "
        "least once a year and before it ends, and renew it by amendment.",
    ),
    (
        "amendment",
        "Amendment",
        "Changes to this memorandum are made in writing and "
        "take effect when every partner has signed them. Adding or removing a partner "
        "always requires a signed amendment.",
    ),
    (
        "termination",
        "Termination",
        "Any partner may leave the partnership by giving "
        "the others sixty days' written notice.\n\n"
        "On termination, partners return or securely destroy information shared under "
        "this memorandum, as the law requires.",
    ),
    (
        "disputes",
        "Dispute resolution",
        "Partners first try to resolve disagreements "
        "between their points of contact, then between their leaders, before seeking "
        "outside help.",
    ),
    (
        "signatures",
        "Signatures",
        "Each partner's signatory confirms that they have "
        "read this memorandum and are authorised to sign it on the partner's behalf.",
    ),
]


def ensure_default_template(template_model=None, section_model=None):
    """Create the shipped template unless it exists (used by the migration, with
    historical models, and wherever a fresh database needs it)."""
    if template_model is None:
        from .models import MOUTemplate as template_model
        from .models import MOUTemplateSection as section_model
    existing = template_model.objects.filter(name=NAME).first()
    if existing:
        return existing
    template = template_model.objects.create(
        name=NAME,
        description="Every section a partnership agreement usually needs, in plain "
        "language.",
        is_default=True,
    )
    section_model.objects.bulk_create(
        section_model(
            template=template,
            sort_order=order,
            kind=kind,
            heading=heading,
            default_text=text,
        )
        for order, (kind, heading, text) in enumerate(SECTIONS)
    )
    return template
