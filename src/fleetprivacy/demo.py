"""A small, idempotent demo customer so that a newcomer can call the API at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetprivacy.auth.models import User
from fleetprivacy.auth.service import create_user
from fleetprivacy.reference.models import Affectation, Customer, Entity, Groupe, Individu, Vehicle

DEMO_CODE = "DEMO"
DEMO_PASSWORD = "demo-password-2026"
LOGINS = (("admin", "ADMIN"), ("manager", "MANAGER"), ("driver", "DRIVER"))


@dataclass(frozen=True)
class DemoInfo:
    customer_id: int
    individu_id: int

    def describe(self, base: str) -> str:
        """What to print for the person who ran `fleetprivacy demo`."""
        logins = "\n".join(f"  {login:8} {role:8} password: {DEMO_PASSWORD}" for login, role in LOGINS)
        return f"""
fleetprivacy demo: customer {self.customer_id} (Europe/Paris)
API:        {base}
Swagger UI: {base}/common/openapi/explorer
Logins:
{logins}

Try:
  TOKEN=$(curl -s -X POST {base}/auth/authenticate2 -H 'content-type: application/json' \\
    -d '{{"login":"admin","password":"{DEMO_PASSWORD}"}}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  curl -s -X POST "{base}/individus/list?customerId={self.customer_id}" -H "X-AUTH-TOKEN: $TOKEN"
  curl -s "{base}/vehicule_engin/vehicles?customerId={self.customer_id}" -H "X-AUTH-TOKEN: $TOKEN"
"""


def seed(session: Session) -> DemoInfo:
    """Create the demo customer once; later runs find it and change nothing."""
    customer = session.scalar(select(Customer).where(Customer.code_exploitant == DEMO_CODE))
    if customer is not None:
        driver = session.scalar(select(User).where(User.login == "driver"))
        return DemoInfo(customer.id, driver.individu_id if driver and driver.individu_id else 0)
    customer = Customer(name="Demo Transports", timezone="Europe/Paris", code_exploitant=DEMO_CODE)
    session.add(customer)
    session.flush()
    cid = customer.id
    head = Entity(customer_id=cid, nom="Siège")
    session.add(head)
    session.flush()
    lyon = Entity(customer_id=cid, nom="Agence Lyon", parent_id=head.id)
    paris = Entity(customer_id=cid, nom="Agence Paris", parent_id=head.id)
    sales = Groupe(customer_id=cid, description_grp="Commerciaux")
    session.add_all([lyon, paris, sales])
    session.flush()
    people = [
        Individu(customer_id=cid, nom_ind="Martin", prenom_ind="Claire", id_civilite=2, entite_id=lyon.id,
                 groupe_id=sales.id, gsm="+33600000001", email="claire.martin@example.com"),
        Individu(customer_id=cid, nom_ind="Bernard", prenom_ind="Luc", id_civilite=1, entite_id=paris.id,
                 groupe_id=sales.id),
        Individu(customer_id=cid, nom_ind="Petit", prenom_ind="Sofia", id_civilite=2, entite_id=head.id),
    ]
    cars = [
        Vehicle(customer_id=cid, immatriculation="GA-101-AA", numero_embarque=101, entite_id=lyon.id,
                type_motorisation="MONO", energie="DIESEL", categorie="VP", marque="Peugeot", modele="308",
                valeur_consommation=5.2),
        Vehicle(customer_id=cid, immatriculation="GA-102-BB", numero_embarque=102, entite_id=paris.id,
                type_motorisation="HYBRIDE", energie="ESSENCE", categorie="VP", marque="Toyota", modele="Corolla",
                valeur_consommation=4.4),
        Vehicle(customer_id=cid, immatriculation="GA-103-CC", numero_embarque=103, entite_id=head.id,
                type_motorisation="ELECTRIQUE", energie="ELECTRICITE", categorie="VP", marque="Renault",
                modele="Megane E-Tech", valeur_consommation=16.0),
    ]
    session.add_all(people + cars)
    session.flush()
    since = datetime(2026, 1, 1, tzinfo=UTC)
    for person, car in zip(people, cars, strict=True):
        session.add(Affectation(customer_id=cid, individu_id=person.id, vehicle_id=car.id, debut_at=since,
                                is_vehicule_fonction=True))
    for login, role in LOGINS:
        create_user(session, login=login, password=DEMO_PASSWORD, role=role, customer_ids=[cid],
                    individu_id=people[0].id if role == "DRIVER" else None)
    session.flush()
    return DemoInfo(cid, people[0].id)
