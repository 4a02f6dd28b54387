"""Directory import: what a hostile or broken HSDS data package can do to the hub's
import page (issue 10, defect 11). Each is refused with a reason; nothing is
stored and nothing answers 500."""

import io
import struct
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import hsds
from directory.models import DirectoryService
from partnerships.models import Organisation

pytestmark = pytest.mark.django_db

SERVICE = str(uuid.uuid4())
ORG = str(uuid.uuid4())
ORGANISATIONS = f"id,name,description\n{ORG},Harbour Food Pantry,Food parcels\n"
SERVICES = f"id,organization_id,name,status\n{SERVICE},{ORG},Pantry,active\n"


def package(files: dict[str, bytes | str]) -> bytes:
    files = {"datapackage.json": "{}", **files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(client_for, hub, data: bytes):
    counts = (DirectoryService.objects.count(), Organisation.objects.count())
    response = client_for(hub).post(
        reverse("directory:import"),
        {"file": SimpleUploadedFile("directory.zip", data)},
    )
    assert response.status_code == 200
    assert (DirectoryService.objects.count(), Organisation.objects.count()) == counts
    return response.text


def refused(data: bytes) -> str:
    with pytest.raises(hsds.HSDSInvalid) as invalid:
        hsds.check_tables(hsds.read_package(data))
    return " ".join(invalid.value.problems)


def test_the_good_package_used_below_is_imported(cast):
    from directory import services

    data = package({"organizations.csv": ORGANISATIONS, "services.csv": SERVICES})
    assert services.directory_import(data=data, by=cast.hub) == 1


def test_a_zip_bomb_is_refused_without_unpacking_it(cast, client_for):
    # 200 MB of zeros deflate to about 200 KB; stream them so the test stays small.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr("organizations.csv", ORGANISATIONS)
        with archive.open("services.csv", "w") as member:
            member.write(b"id,organization_id,name,status\n")
            zeros = b"0" * (1 << 20)
            for _ in range(200):
                member.write(zeros)
    assert len(buffer.getvalue()) < 400_000

    text = upload(client_for, cast.hub, buffer.getvalue())
    assert "services.csv" in text
    assert "unpack to more than" in text


def test_a_zip_header_that_understates_the_size_is_cut_off(monkeypatch):
    monkeypatch.setattr(hsds, "MAX_UNPACKED_BYTES", 100_000)
    data = bytearray(
        package(
            {
                "organizations.csv": ORGANISATIONS,
                "services.csv": SERVICES + "x" * 1_000_000,
            }
        )
    )
    # Rewrite services.csv's uncompressed size to 100 bytes in both headers.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + 12] == b"services.csv":
                data[start + offset : start + offset + 4] = struct.pack("<L", 100)
            start += 4

    assert "services.csv" in refused(bytes(data))


def test_a_latin1_csv_is_refused_naming_the_file_to_save_as_utf8(cast, client_for):
    data = package(
        {
            "organizations.csv": f"id,name,description\n{ORG},Café Harbour,x\n".encode(
                "latin-1"
            ),
            "services.csv": SERVICES,
        }
    )
    text = upload(client_for, cast.hub, data)
    assert "organizations.csv" in text
    assert "UTF-8" in text


def test_a_megabyte_long_name_is_refused(cast, client_for):
    data = package(
        {
            "organizations.csv": ORGANISATIONS,
            "services.csv": "id,organization_id,name,status\n"
            f"{SERVICE},org-1,{'n' * 1_000_000},active\n",
        }
    )
    text = upload(client_for, cast.hub, data)
    assert "services.csv row 2" in text
    assert "characters" in text


def test_a_name_longer_than_the_directory_keeps_is_refused(cast, client_for):
    data = package(
        {
            "organizations.csv": f"id,name,description\n{ORG},{'o' * 201},x\n",
            "services.csv": SERVICES.replace("Pantry", "p" * 201),
        }
    )
    text = upload(client_for, cast.hub, data)
    assert "organizations.csv row 2: name" in text
    assert "services.csv row 2: name" in text


def test_a_short_row_or_a_bad_address_is_reported_not_a_500(cast, client_for):
    data = package(
        {
            "organizations.csv": "id,name,email\norg-1\n",
            "services.csv": SERVICES,
            "service_at_locations.csv": f"id,service_id,location_id\n1,{SERVICE},x\n",
            "addresses.csv": "id,location_id,country\n1,x,USA\n",
        }
    )
    text = upload(client_for, cast.hub, data)
    assert "organizations.csv row 2" in text
    # The file's old plural name is still read, under the standard's name.
    assert "service_at_location.csv row 2: location_id" in text
    assert "addresses.csv row 2: country" in text


def test_an_oversized_upload_is_refused_before_unzipping(monkeypatch):
    monkeypatch.setattr(hsds, "MAX_UPLOAD_BYTES", 1000)
    data = package({"organizations.csv": ORGANISATIONS, "services.csv": SERVICES})
    data += b"\0" * 1000
    assert "larger than" in refused(data)


def test_a_package_of_many_files_is_refused():
    files = {f"extra-{n}.csv": "" for n in range(hsds.MAX_MEMBERS + 1)}
    data = package(
        {"organizations.csv": ORGANISATIONS, "services.csv": SERVICES, **files}
    )
    assert "files" in refused(data)


def test_files_in_folders_are_refused():
    data = package(
        {
            "organizations.csv": ORGANISATIONS,
            "services.csv": SERVICES,
            "../../etc/services.csv": SERVICES,
            "nested/phones.csv": "id,service_id,number\n",
        }
    )
    problems = refused(data)
    assert "../../etc/services.csv" in problems
    assert "nested/phones.csv" in problems
