"""Bodies the server cannot read are the client's fault: a problem+json 400, never a 500,
and nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serviceloop.tickets.models import Attachment
from tests.builders import make_ticket

from .conftest import stored_state
from .given import png_bytes


@pytest.fixture
def own_ticket(customer_user, team):
    return make_ticket(customer_user, description="My parcel has not arrived")


@pytest.mark.parametrize("path", ["interactions", "attachments"])
def test_a_multipart_body_without_its_boundary_is_a_400(agent_api, own_ticket, path):
    before = stored_state()
    response = agent_api.client.post(
        f"/api/v1/tickets/{own_ticket.number}/{path}",
        data=b"--x\r\nContent-Disposition: form-data; name=content\r\n\r\nHi\r\n--x--\r\n",
        content_type="multipart/form-data",  # no boundary=
        headers=agent_api.headers,
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body could not be read."
    assert stored_state() == before


@pytest.mark.parametrize("path", ["interactions", "attachments"])
def test_a_file_name_of_a_thousand_characters_is_refused_not_a_500(
    agent_api, own_ticket, media, path
):
    name = "a" * 996 + ".png"
    field = "files" if path == "interactions" else "file"
    body = {field: SimpleUploadedFile(name, png_bytes())}
    if path == "interactions":
        body["content"] = "The label"
    response = agent_api.client.post(
        f"/api/v1/tickets/{own_ticket.number}/{path}", body, headers=agent_api.headers
    )
    assert response.status_code == 201, response.content  # the name is cut to its end
    stored = Attachment.objects.get()
    assert len(stored.filename) <= 255
    assert stored.filename.endswith(".png")
