"""
Load the seed explainer (shared/seed/explainer-example.txt) as demo content.

The content goes through the real workflow (author edits → submits → a medical reviewer
approves → a publisher publishes) on 2026-04-07, so the demo page carries a genuine review
record. Running it again changes nothing.
"""

import datetime
from unittest import mock

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from explainers.models import Author, Condition, Explainer, HealthAspect, RegistrationBody, Reviewer

REVIEW_DATE = datetime.datetime(2026, 4, 7, 10, 0, tzinfo=datetime.UTC)
CONDITION = "Dermatomyositis and Polymyositis"
QUESTION = "What causes Dermatomyositis and Polymyositis?"
TLDR = (
    "Dermatomyositis and Polymyositis are chronic autoimmune conditions where the body's immune system "
    "mistakenly attacks healthy muscle tissue and, in the case of dermatomyositis, the skin. While the exact "
    "cause remains unknown, current research points to a complex interplay between genetic predisposition, "
    "environmental triggers, and immune system dysregulation."
)
# The seed's own words. Its list of environmental triggers lost its items, so the sentence
# introducing that list is left out rather than filled with invented examples.
SECTIONS = [
    (
        "What happens in the body",
        HealthAspect.CAUSES,
        "In patients with Dermatomyositis and Polymyositis, the immune system—which is designed to protect the "
        "body from invaders like bacteria or viruses—becomes overactive and targets the body’s own muscle "
        "fibers. Think of it like a security system that has been miscalibrated: instead of guarding the house, "
        "the sensors trigger an alarm and release defensive mechanisms against the very people living inside. "
        "This results in muscle inflammation (myositis). In Dermatomyositis, this immune activity also "
        "manifests as skin rashes, suggesting that the blood vessels in the skin are also being targeted.",
    ),
    (
        "Is it inherited?",
        HealthAspect.RISKS,
        'While Dermatomyositis and Polymyositis are not considered "hereditary" in the way that conditions '
        "like cystic fibrosis are (where a single gene mutation guarantees the disease), there is a clear "
        "genetic component. Research has identified specific human leukocyte antigen (HLA) gene variants that "
        "increase an individual's susceptibility. These genes regulate how the immune system recognizes "
        '"self" versus "non-self." Having these variants does not mean a person will definitely develop '
        "Dermatomyositis and Polymyositis; rather, it means their immune system may be more easily "
        '"triggered" by external factors.',
    ),
    (
        "Environmental triggers",
        HealthAspect.CAUSES,
        "Because genetics alone do not explain the onset of Dermatomyositis and Polymyositis, researchers focus "
        'on environmental "hits" that may spark the autoimmune process in genetically vulnerable individuals.',
    ),
    (
        "What is still unknown",
        HealthAspect.CAUSES,
        "The exact etiology—the underlying cause—of Dermatomyositis and Polymyositis is still a major area of "
        'active research. We distinguish between "causes" (the primary driver) and "risk factors" (elements '
        'that increase likelihood). Currently, we know the "how" (immune-mediated muscle damage) much better '
        'than the "why" (the initial spark). With 413 members of the DiseaseMaps community living with these '
        "conditions, we are learning more about patient experiences, but large-scale clinical studies are still "
        "required to definitively map the pathways from initial trigger to chronic disease.",
    ),
]


def demo_user(username, role, **fields):
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, **fields})
    if created:
        user.set_unusable_password()  # demo_logins sets local passwords; production never has any
        user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


class Command(BaseCommand):
    help = "Load the seed explainer as published demo content (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        author = demo_user("author", "Authors", first_name="Alex", last_name="Author")
        reviewer_user = demo_user("reviewer", "Medical reviewers", first_name="Rowan", last_name="Reviewer")
        publisher = demo_user("publisher", "Publishers", first_name="Pat", last_name="Publisher")
        Author.objects.get_or_create(
            user=author,
            defaults={
                "display_name": "Alex Author (demo)",
                "role": "Health writer",
                "bio": "A demonstration author profile for local development. Real profiles name the person "
                "who wrote the page and their background.",
                "slug": "alex-author-demo",
            },
        )
        reviewer, _ = Reviewer.objects.get_or_create(
            user=reviewer_user,
            defaults={
                "display_name": "Dr Rowan Reviewer (demo)",
                "credentials": "MD, rheumatologist",
                "specialty": "Rheumatology",
                "bio": "A demonstration reviewer profile for local development. Real profiles name a real "
                "clinician and their qualifications.",
                "slug": "rowan-reviewer-demo",
                "registration_body": RegistrationBody.GMC,
                "registration_number": "0000000",
                "registration_verified_on": REVIEW_DATE.date() - datetime.timedelta(days=6),
                "interests_declaration": "None. (A demonstration profile: real reviewers declare funding, "
                "consultancy, shares and roles here.)",
                "interests_declared_on": REVIEW_DATE.date() - datetime.timedelta(days=6),
            },
        )
        if reviewer.registration_verified_on is None:
            # A demo database made before registrations were recorded: the demo reviewer gets one.
            reviewer.registration_body, reviewer.registration_number = RegistrationBody.GMC, "0000000"
            reviewer.registration_verified_on = REVIEW_DATE.date() - datetime.timedelta(days=6)
            reviewer.save_with_history(by=publisher)
        condition, _ = Condition.objects.get_or_create(
            slug="dermatomyositis-and-polymyositis",
            defaults={
                "name": CONDITION,
                "alternate_names": "Dermatomyositis\nPolymyositis\nMyositis",
                "community_size": 413,
            },
        )
        with mock.patch("django.utils.timezone.now", return_value=REVIEW_DATE):
            if condition.approved_description_id is None:
                # The condition's name and other names are medical content too: an author enters
                # them and a medical reviewer approves them, like everything public.
                condition.record_edit(by=author)
                condition.approve_description(by=reviewer.user, content_hash=condition.working_hash())
        if condition.explainers.filter(slug="what-causes-dermatomyositis-and-polymyositis").exists():
            self.stdout.write("Demo content is already loaded.")
            return
        with mock.patch("django.utils.timezone.now", return_value=REVIEW_DATE):
            explainer = Explainer.objects.create(
                condition=condition,
                question=QUESTION,
                slug="what-causes-dermatomyositis-and-polymyositis",
                format_labels="Short answer, Medically reviewed summary",
                tldr=TLDR,
                experience_count=3,
                created_by=author,
            )
            for position, (heading, aspect, body) in enumerate(SECTIONS):
                explainer.sections.create(heading=heading, health_aspect=aspect, body=body, position=position)
            explainer.record_edit(by=author)
            version = explainer.submit_for_review(by=author)
            explainer.approve(by=reviewer.user, version=version, comments="Demo approval of the seed text.")
            explainer.publish(by=publisher, version=version)
        self.stdout.write(self.style.SUCCESS(f"Loaded demo explainer “{explainer}”."))
