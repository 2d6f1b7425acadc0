"""The body and answers of the intake API as the OpenAPI document describes them. The body is checked
by the intake form (payload.py), not by these: they only describe it."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from students.models import Guardian, Student


class StudentIn(Schema):
    full_name: str = Field(max_length=60, description="The student's name.")
    gender: str = Field("", json_schema_extra={"enum": ["", *Student.Gender.values]})
    school: str = Field("", max_length=100)
    grade: str = Field("", max_length=20)
    campus: str = Field(max_length=20, description="The campus's code; one the key may write to.")


class GuardianIn(Schema):
    name: str = Field(max_length=60, description="The main guardian's name.")
    relation: str = Field(json_schema_extra={"enum": Guardian.Relation.values})
    phone: str = Field(max_length=20, description="A mobile (138 0000 0000) or a landline (010-62550001).")
    wechat: str = Field("", max_length=60)
    best_time_to_call: str = Field("", max_length=60)


class ContractIn(Schema):
    number: str = Field(max_length=40, description="The contract's number; each is entered once.")
    signed_at: datetime = Field(description="ISO 8601, not in the future; without an offset, Beijing time.")
    subjects: str = Field(max_length=100)
    hours: Decimal = Field(gt=0, max_digits=7, decimal_places=1, description="Class hours bought.")
    unit_price: Decimal = Field(ge=0, max_digits=9, decimal_places=2, description="Price per class hour.")
    amount: Decimal = Field(
        ge=0, max_digits=11, decimal_places=2, description="hours × unit_price, unless confirm_amount."
    )
    confirm_amount: bool = Field(False, description="The amount is right although it is not hours × price.")


class IntakeIn(Schema):
    consultant: str = Field(description="The username of the consultant who signed: active, on the campus.")
    student: StudentIn
    guardian: GuardianIn
    contract: ContractIn


class ContractOut(Schema):
    contract_id: int
    student_id: int
    student_url: str = Field(description="The student's page, for the people signed in to the casework.")


class Errors(Schema):
    errors: dict[str, list[str]] = Field(
        description='Messages by field of the body ("contract.amount"), or by header; Chinese unless '
        "Accept-Language asks for English."
    )


def inlined(schema: dict) -> dict:
    """A JSON schema with its definitions written in place, for an operation's requestBody."""
    definitions = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(definitions[node["$ref"].rsplit("/", 1)[1]])
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return walk(schema)


IDEMPOTENCY_KEY_DOC = (
    "A UUID or another text of at most 100 characters, new for each contract and the same for each retry "
    "of it: a retry gets the first answer; another body under the same key answers 409."
)

OPENAPI_EXTRA = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": inlined(IntakeIn.model_json_schema())}},
    },
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "schema": {"type": "string", "maxLength": 100},
            "description": IDEMPOTENCY_KEY_DOC,
        },
        {
            "in": "header",
            "name": "Accept-Language",
            "required": False,
            "schema": {"type": "string", "example": "en"},
            "description": "The language of the error messages: Simplified Chinese unless English is asked.",
        },
    ],
}
