"""The schema.org checker in tests/schema_org.py: it passes valid JSON-LD and names what is wrong in the rest."""

from tests.schema_org import validation_errors

CONTEXT = "https://schema.org"


def one_error(data):
    errors = validation_errors(data)
    assert len(errors) == 1, errors
    return errors[0]


def test_a_reviewed_medical_web_page_is_valid():
    data = {
        "@context": CONTEXT,
        "@type": "MedicalWebPage",
        "name": "What causes myositis?",
        "url": "https://condinfo.example/conditions/myositis/what-causes-myositis/",
        "inLanguage": "en-GB",
        "dateModified": "2026-04-07",
        "lastReviewed": "2026-04-07",
        "reviewedBy": {"@type": "Person", "name": "Dr Rowan Reviewer", "jobTitle": "MD", "url": "https://x.example/"},
        "about": {"@type": "MedicalCondition", "name": "Myositis", "alternateName": ["Dermatomyositis", "PM"]},
        "mainContentOfPage": {"@type": "WebPageElement", "cssSelector": "#answer"},
        "publisher": {"@type": "Organization", "name": "condinfo"},
        "citation": [{"@type": "CreativeWork", "name": "Smith J. 2024.", "sameAs": ["https://doi.org/10.1000/x"]}],
        "hasPart": [
            {"@type": "HealthTopicContent", "hasHealthAspect": "https://schema.org/CausesHealthAspect", "name": "x"}
        ],
    }
    assert validation_errors(data) == []


def test_a_property_outside_its_types_domain_is_named():
    error = one_error(
        {"@context": CONTEXT, "@type": "WebPageElement", "hasHealthAspect": "https://schema.org/CausesHealthAspect"}
    )
    assert "hasHealthAspect" in error
    assert "HealthTopicContent" in error  # its domain


def test_a_multi_typed_node_may_use_the_properties_of_each_type():
    part = {
        "@type": ["WebPageElement", "HealthTopicContent"],
        "cssSelector": "#section-1",
        "hasHealthAspect": "https://schema.org/CausesHealthAspect",
    }
    assert validation_errors({"@context": CONTEXT, "@type": "MedicalWebPage", "hasPart": [part]}) == []


def test_inherited_properties_fit_subtypes():
    # name is Thing's, lastReviewed WebPage's: both apply to MedicalWebPage through rdfs:subClassOf
    assert (
        validation_errors({"@context": CONTEXT, "@type": "MedicalWebPage", "name": "x", "lastReviewed": "2026-01-01"})
        == []
    )
    assert "lastReviewed" in one_error({"@context": CONTEXT, "@type": "Article", "lastReviewed": "2026-01-01"})


def test_an_unknown_property_is_named():
    assert "healthAspect" in one_error({"@context": CONTEXT, "@type": "HealthTopicContent", "healthAspect": "x"})


def test_an_unknown_type_is_named_at_any_depth():
    assert "MedicalWebsite" in one_error({"@context": CONTEXT, "@type": "MedicalWebsite"})
    error = one_error({"@context": CONTEXT, "@type": "MedicalWebPage", "about": {"@type": "Condition", "name": "x"}})
    assert "'Condition'" in error and "$.about" in error


def test_a_nested_node_outside_the_range_is_named():
    error = one_error({"@context": CONTEXT, "@type": "MedicalWebPage", "reviewedBy": {"@type": "CreativeWork"}})
    assert "reviewedBy" in error and "CreativeWork" in error
    # a subtype of a type in the range fits: Physician is an Organization (MedicalBusiness, LocalBusiness)
    assert (
        validation_errors({"@context": CONTEXT, "@type": "MedicalWebPage", "reviewedBy": {"@type": "Physician"}}) == []
    )


def test_an_enumeration_takes_the_address_of_one_of_its_members():
    def part(aspect):
        return {"@context": CONTEXT, "@type": "HealthTopicContent", "hasHealthAspect": aspect}

    assert validation_errors(part("https://schema.org/RisksOrComplicationsHealthAspect")) == []
    assert validation_errors(part({"@id": "https://schema.org/SymptomsHealthAspect"})) == []
    assert "CausesAspect" in one_error(part("https://schema.org/CausesAspect"))  # no such member
    assert "MedicalCondition" in one_error(part("https://schema.org/MedicalCondition"))  # a type, not a member
    assert "Monday" in one_error(part("https://schema.org/Monday"))  # a member of another enumeration


def test_text_is_accepted_for_any_property_but_numbers_and_booleans_need_their_range():
    assert validation_errors({"@context": CONTEXT, "@type": "WebPage", "reviewedBy": "Dr Rowan Reviewer"}) == []
    assert validation_errors({"@context": CONTEXT, "@type": "WebPage", "isAccessibleForFree": True}) == []
    assert validation_errors({"@context": CONTEXT, "@type": "Rating", "ratingValue": 4.5}) == []
    assert "lastReviewed" in one_error({"@context": CONTEXT, "@type": "WebPage", "lastReviewed": 2026})
    assert "about" in one_error({"@context": CONTEXT, "@type": "WebPage", "about": False})


def test_the_context_must_be_schema_org():
    assert "@context" in one_error({"@context": "https://example.org/", "@type": "WebPage"})
    assert (
        validation_errors({"@context": "https://schema.org/", "@graph": [{"@type": "WebPage"}, {"@type": "Person"}]})
        == []
    )
