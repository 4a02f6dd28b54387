"""Text of the public guides loaded with the demo data (hub staff edit them in
the page tree afterwards)."""

import json

HOME_INTRO = (
    "A shared workspace where health and human-service organisations plan, agree, "
    "meet, refer and learn together."
)

HOME_BODY = (
    "<p>Partners serving the same families rarely lack goodwill; they lack a common "
    "place to write down who does what, to keep meeting, and to see whether it is "
    "working. This workspace gives each partnership that place: a page per "
    "partnership with its organisations and contacts, a logic model, a co-written "
    "memorandum of understanding that every organisation signs, regular reviews "
    "that land in everyone's calendar, a tracker of shared responsibilities, and "
    "a referral protocol that closes the loop.</p>"
    "<p>Each partner organisation sees only the partnerships it belongs to.</p>"
)


def _body(*items):
    blocks = []
    for kind, value in items:
        blocks.append({"type": kind, "value": value})
    return json.dumps(blocks)


GUIDES = [
    {
        "title": "Agree on purpose and how you will know it works",
        "slug": "purpose-and-success",
        "summary": "Write the shared purpose down, break it into goals, and agree "
        "when and how you will check progress together.",
        "body": _body(
            (
                "paragraph",
                "<p>Partners often join for different reasons. Naming a "
                "common purpose, and the smaller goals beneath it, lets each "
                "organisation see its part. A logic model or theory of change makes "
                "the reasoning explicit: what you put in, what you do, and which "
                "changes you expect for the people you serve.</p>",
            ),
            ("heading", "In practice"),
            (
                "checklist",
                [
                    "One or two sentences of purpose every partner can repeat",
                    "Success criteria with a date attached",
                    "A logic model built together, with indicators and targets",
                    "Check-ins at an agreed rhythm: are we on track?",
                ],
            ),
        ),
    },
    {
        "title": "Adapt and learn with your partners",
        "slug": "adapt-and-learn",
        "summary": "Notice early when something needs to change, and change it "
        "together rather than quietly working around it.",
        "body": _body(
            (
                "paragraph",
                "<p>Needs shift, staff change, funding moves. "
                "Partnerships that last keep a record of what they learned: from "
                "training, from community assessments, from the cases that went "
                "wrong. The record is what turns a complaint into an amendment.</p>",
            ),
            (
                "checklist",
                [
                    "A learning log anyone in the partnership can add to",
                    "Health checks where each organisation rates the practices",
                    "A clear path from a lesson to a changed agreement or plan",
                ],
            ),
        ),
    },
    {
        "title": "Make the partnership sustainable",
        "slug": "sustainability",
        "summary": "Staff time, money, resources and leadership backing keep a "
        "partnership alive after the first enthusiasm.",
        "body": _body(
            (
                "paragraph",
                "<p>A partnership competes with every organisation's core "
                "services for time and money. Say out loud what each partner puts in, "
                "who sponsors it at leadership level, and when the arrangement is "
                "reviewed and renewed.</p>",
            ),
            (
                "checklist",
                [
                    "Staff hours per month, by organisation",
                    "Funding and in-kind contributions recorded",
                    "A named leadership sponsor in each organisation",
                    "Renewal dates with reminders well ahead",
                ],
            ),
        ),
    },
    {
        "title": "Communicate clearly and consistently",
        "slug": "communication",
        "summary": "Agree how often you meet, who sets the agenda and who is the "
        "point of contact, then keep to it.",
        "body": _body(
            (
                "paragraph",
                "<p>Regular face-to-face reviews of shared participants, "
                "periodic operational and strategic meetings, and calls or e-mail in "
                "between: the rhythm matters more than the format. Named points of "
                "contact and a simple communication protocol prevent dropped "
                "hand-offs.</p>",
            ),
            (
                "checklist",
                [
                    "A meeting series per review type, in everyone's calendar",
                    "Agendas built from what is overdue or due for review",
                    "Minutes with decisions and actions that get tracked",
                ],
            ),
        ),
    },
    {
        "title": "Share accountability",
        "slug": "shared-accountability",
        "summary": "Write down who is responsible for what, decide in the open, "
        "and measure performance together.",
        "body": _body(
            (
                "paragraph",
                "<p>A memorandum of understanding co-written by the "
                "partners is the usual home for roles and responsibilities. Its "
                "commitments should not stay on paper: track them, report on them, "
                "and revisit them when the agreement is reviewed.</p>",
            ),
            (
                "checklist",
                [
                    "An MOU every organisation's signatory signs",
                    "A responsibility tracker fed by the MOU and by meeting actions",
                    "Dashboards leadership can read without asking",
                ],
            ),
        ),
    },
    {
        "title": "Referrals that close the loop",
        "slug": "referrals",
        "summary": "Agreed tools and protocols, current resource information, "
        "feedback to the sender, and metrics that reveal inequities.",
        "body": _body(
            (
                "paragraph",
                "<p>A good referral starts with the client's choice and "
                "consent, carries only the information the receiving service needs, "
                "and ends when the sender learns what happened. Staff training on "
                "bias and equity breakdowns of referral outcomes help spot who is "
                "being left out.</p>",
            ),
            (
                "checklist",
                [
                    "When to refer and the steps, agreed by both sides",
                    "Required data and consent recorded with the referral",
                    "Acknowledgement and outcome within agreed times",
                    "An up-to-date directory of services, with a named owner",
                    "Metrics broken down by group, with small numbers suppressed",
                ],
            ),
        ),
    },
]
