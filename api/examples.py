"""Example answers shown in the OpenAPI schema; tests/test_api.py checks them against the schema and real answers."""

EXPLAINER = {
    "id": 42,
    "question": "What causes dermatomyositis and polymyositis?",
    "tldr": "Nobody knows exactly; the immune system attacks the muscles.",
    "condition": {
        "slug": "dermatomyositis-and-polymyositis",
        "name": "Dermatomyositis and Polymyositis",
        "url": "https://condinfo.example/conditions/dermatomyositis-and-polymyositis/",
    },
    "get_help": None,
    "sections": [
        {
            "heading": "What goes wrong",
            "html": "<p>The immune system attacks the muscles.</p>",
            "health_aspect": "CausesHealthAspect",
        }
    ],
    "sources": [
        {
            "citation": "Lundberg IE et al. Idiopathic inflammatory myopathies. Nat Rev Dis Primers. 2021.",
            "url": "https://example.org/paper",
            "pmid": "33737539",
            "doi": "",
            "pubmed_url": "https://pubmed.ncbi.nlm.nih.gov/33737539/",
            "doi_url": "",
        }
    ],
    "review": {
        "last_full_review": {
            "reviewed_on": "2026-03-02",
            "reviewer_name": "Dr A Reviewer",
            "reviewer_credentials": "MD, rheumatologist",
            "reviewer_url": "https://condinfo.example/reviewers/a-reviewer/",
        },
        "latest_minor_change": None,
        "next_review_due": "2027-03-02",
        "overdue": False,
    },
    "first_published": "2026-03-03",
    "last_updated": "2026-03-03",
    "published_at": "2026-03-03T10:15:00Z",
    "version": 3,
    "content_hash": "9f2c0e6b1d4a7c3e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6",
    "url": "https://condinfo.example/conditions/dermatomyositis-and-polymyositis/what-causes-it/",
    "api_url": "https://condinfo.example/api/v1/explainers/42/",
    "licence": "© condinfo. Reuse with a link to the page and the words “Medically reviewed content from condinfo”.",
}
