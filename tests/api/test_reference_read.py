"""The reference's read endpoints, with the reference's curl examples and shapes."""

from __future__ import annotations

import pytest


@pytest.fixture
def fleet(client, factory, auth):
    t = factory.tenant("acme")
    h = auth(t.admin)
    post = lambda path, body: client.post(f"{client.base}/admin/v1/{path}", headers=h, json=body).json()  # noqa: E731
    e = post("entities", {"nom": "Siège"})
    g = post("groupes", {"descriptionGrp": "Commerciaux"})
    anne = post("individus", {"nomInd": "Durand", "prenomInd": "Anne", "entiteId": e["id"], "groupeId": g["id"],
                              "gsm": "+33600000000"})
    post("individus", {"nomInd": "Sans", "prenomInd": "Voiture"})
    v = post("vehicles", {"immatriculation": "AB-123-CD", "numeroEmbarque": 7, "entiteId": e["id"],
                          "marque": "Renault", "modele": "Zoe", "typeMotorisation": "ELECTRIQUE"})
    post("affectations", {"individuId": anne["id"], "vehiculeId": v["id"], "dateDebut": "2020-01-01T00:00:00Z",
                          "isVehiculeFonction": True})
    return t, h, anne, v, e, g


def test_individus_list_like_the_reference_curl(client, fleet):
    t, h, anne, v, e, g = fleet
    r = client.post(f"{client.base}/individus/list?customerId={t.customer_id}", headers=h)
    assert r.status_code == 200
    rows = r.json()
    assert len(rows) == 3  # the tenant's driver, Anne, and the one without a car
    row = next(x for x in rows if x["individu"]["id"] == anne["id"])
    assert set(row) == {"individu", "entite", "utilisateur", "groupe", "fonctionnalites", "propSpecifiqueDTO",
                        "vehicleFieldsDTO"}
    assert set(row["individu"]) == {"nomInd", "gsm", "matriculeInd", "initialesInd", "prenomInd", "id", "email",
                                    "suppressionLogique", "idCivilite"}
    assert row["entite"] == {"id": e["id"], "nom": "Siège", "suppressionLogique": False}
    assert row["groupe"] == {"id": g["id"], "descriptionGrp": "Commerciaux", "suppressionLogique": False}
    assert row["vehicleFieldsDTO"]["immatriculation"] == "AB-123-CD"
    assert row["vehicleFieldsDTO"]["numeroEmbarque"] == 7


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (["WITH_VEHICLE"], {"Durand"}),
        (["WITH_GSM"], {"Durand"}),
        (["WITH_ENTITE"], {"Durand"}),
        (["WITH_USER"], {"acme driver"}),
        (["WITHOUT_USER"], {"Durand", "Sans"}),
        (["WITHOUT_USER", "WITH_VEHICLE"], {"Durand"}),
    ],
)
def test_individus_list_criteria(client, fleet, criteria, expected):
    _t, h, *_ = fleet
    r = client.post(f"{client.base}/individus/list", headers=h, params={"criteria": criteria})
    assert {x["individu"]["nomInd"] for x in r.json()} == expected


def test_individus_list_bad_criterion(client, fleet):
    _t, h, *_ = fleet
    r = client.post(f"{client.base}/individus/list", headers=h, params={"criteria": "WITH_BANANAS"})
    assert r.status_code == 400 and "criteria" in r.json()["message"]


def test_a_driver_lists_only_themself(client, fleet, auth):
    t, *_ = fleet
    r = client.post(f"{client.base}/individus/list", headers=auth(t.driver))
    assert [x["individu"]["id"] for x in r.json()] == [t.individu_id]
    assert r.json()[0]["utilisateur"]["loginUti"] == "acme-driver"


def test_vehicles_like_the_reference(client, fleet):
    t, h, anne, v, e, _g = fleet
    r = client.get(f"{client.base}/vehicule_engin/vehicles", headers=h, params={"immatriculation": "AB-123-CD"})
    assert r.status_code == 200
    [row] = r.json()
    assert set(row) == {"boitier", "chauffeur", "emissionCo2", "entite", "releve", "releveAjuste", "vehicle",
                        "visites"}
    assert row["chauffeur"]["id"] == anne["id"]
    assert row["entite"]["id"] == e["id"]
    vehicle = row["vehicle"]
    for key in ("id", "immatriculation", "numeroEmbarque", "typeMotorisation", "categorie", "marque", "modele",
                "privacyEnabled", "geolocalise", "valeurConsommation", "libelleTypeAsset", "suppressionLogique"):
        assert key in vehicle
    assert vehicle["typeMotorisation"] == "ELECTRIQUE"
    assert client.get(f"{client.base}/vehicule_engin/vehicles", headers=h,
                      params={"immatriculation": "NOPE"}).json() == []


def test_entities_like_the_reference(client, fleet):
    _t, h, _a, _v, e, _g = fleet
    r = client.get(f"{client.base}/mobility/v1/entities", headers=h)
    assert r.json() == {"entities": [{"id": e["id"], "nom": "Siège"}]}
