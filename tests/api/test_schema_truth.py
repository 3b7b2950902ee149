"""What the OpenAPI schema says is what the server does: limits, strict JSON types, pagination
parameters, blank e-mail, and the error responses of every operation. (test_contract runs
schemathesis over all of it; these are the rules one by one.)"""

import pytest
from django.test import Client

from tests.api.test_bookings import BOOKINGS, invite_body, refused, stored
from tests.api.test_people import STAFF, new_person

VISIT_TYPES = "/api/v1/visit-types/"


def schema(cast) -> dict:
    return Client(HTTP_HOST=cast.host).get("/api/schema/", {"format": "json"}).json()


def component(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]["properties"]


# -- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": "null"},
        {"page_size": "0"},
        {"page_size": "201"},
        {"page_size": "2.5"},
        {"page": "0"},
        {"page": "last"},
        {"page": ""},
    ],
)
def test_invalid_page_parameters_are_refused_naming_them(in_alfa, api, params):
    response = api(in_alfa.admin).get(STAFF, params)
    refused(response, next(iter(params)))


def test_pages_within_the_limits_work_and_past_the_last_is_404(in_alfa, api):
    client = api(in_alfa.admin)
    body = client.get(STAFF, {"page_size": "2"}).json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert len(client.get(STAFF, {"page_size": "200", "page": "1"}).json()["results"]) == 3
    assert client.get(STAFF, {"page_size": "2", "page": "3"}).status_code == 404


def test_schema_states_the_page_limits(alfa):
    parameters = schema(alfa)["paths"]["/api/v1/staff/"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["page"] == {"type": "integer", "minimum": 1}
    assert by_name["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}


# -- strict JSON types and limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visit_type": "1"}, "visit_type"),
        ({"visit_type": True}, "visit_type"),
        ({"instant": "true", "starts_at": None}, "instant"),
        ({"message": 12}, "message"),
        ({"patients": [{"personnummer": 197001011234}]}, "patients"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_not_converted(ready, api, overrides, field):
    before = stored()
    refused(api(ready.clinician).post(BOOKINGS, invite_body(ready, **overrides)), field)
    assert stored() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duration_minutes": "30"}, "duration_minutes"),
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 241}, "duration_minutes"),
        ({"title": "   "}, "title"),
        ({"title": 7}, "title"),
        ({"max_patients": 4, "kind": "video_group"}, "max_patients"),
    ],
)
def test_visit_type_limits_are_refused(ready, api, body, field):
    full = {"title": "Samtal", "duration_minutes": 30, "kind": "video", **body}
    refused(api(ready.clinician).post(VISIT_TYPES, full), field)


def test_schema_states_the_visit_type_limits(alfa):
    fields = component(schema(alfa), "VisitTypeRequest")
    assert (fields["duration_minutes"]["minimum"], fields["duration_minutes"]["maximum"]) == (
        5,
        240,
    )
    assert (fields["max_patients"]["minimum"], fields["max_patients"]["maximum"]) == (1, 3)
    assert fields["title"]["pattern"] == "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def test_profile_description_must_be_text(in_alfa, api):
    response = api(in_alfa.clinician).patch("/api/v1/me/profile/", {"description": 0})
    refused(response, "description")


def test_empty_or_malformed_filter_values_are_refused(ready, api):
    client = api(ready.clinician)
    refused(client.get(BOOKINGS, {"to": ""}), "to")
    refused(client.get(BOOKINGS, {"from": "20260504"}), "from")
    refused(client.get(VISIT_TYPES, {"clinician": "abc"}), "clinician")
    assert client.get(VISIT_TYPES, {"clinician": str(ready.clinician.pk)}).status_code == 200


# -- blank e-mail --------------------------------------------------------------------------------


def test_blank_email_is_accepted_shown_as_blank_and_documented(in_alfa, api):
    client = api(in_alfa.admin)
    response = client.post(STAFF, {**new_person(email=""), "is_clinician": True})
    assert response.status_code == 201, response.content
    assert response.json()["email"] == ""
    assert client.get("/api/v1/me/").json()["email"] == ""
    document = schema(in_alfa)
    for name in ("Me", "StaffMember", "NewStaffMemberRequest"):
        email = component(document, name)["email"]
        assert email["oneOf"] == [
            {"type": "string", "format": "email", "maxLength": 254},
            {"type": "string", "maxLength": 0},
        ], name


# -- error responses -----------------------------------------------------------------------------


def test_every_operation_documents_its_refusals(alfa):
    for path, item in schema(alfa)["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "400" in codes, (method, path)
            if path != "/api/v1/provider/":
                assert {"401", "403"} <= codes, (method, path)
            if "{id}" in path or "Paginated" in str(operation):
                assert "404" in codes, (method, path)
