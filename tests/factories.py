import factory

from accounts.models import Campus, Role, Team, User

PASSWORD = "correct-horse-42"


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"校区{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"同事{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    role = Role.LEARNING_MANAGER
    campus = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in (Role.FINANCE, Role.PRESIDENT, Role.ADMIN)),
        yes_declaration=None,
        no_declaration=factory.SubFactory(CampusFactory),
    )
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    campus = factory.SubFactory(CampusFactory)
    name = factory.Sequence(lambda n: f"学管{n}组")
    supervisor = factory.SubFactory(
        UserFactory, role=Role.SUPERVISOR, campus=factory.SelfAttribute("..campus")
    )


def case_lost(
    student,
    company,
    *,
    sign: str = "家长要退费",
    conflict: str = "没进步",
    lost_order: str = "反馈太少",
    memo: str = "纪要",
):
    """The student's case walked through the services from the warning sign to the director's failed
    rescue: the student is lost and the refund may be applied for."""
    from retention import services as retention

    case, _ = retention.case_open(student=student, actor=company.manager_a1, description=sign)
    retention.warning_escalate(
        case=case, actor=company.manager_a1, parent_talk="", conflict_points=conflict, kind="refund_intent"
    )
    retention.rescue_failed(
        case=case,
        actor=company.supervisor_a,
        lost_order_report=lost_order,
        rescue_report="两次面谈",
        reasons=["rel_feedback"],
    )
    retention.report_submit(case=case, actor=company.supervisor_a, department_feedback="已反馈", memo=memo)
    retention.director_decide(case=case, actor=company.director_a, director_rescue="未能挽回", retained=False)
    case.refresh_from_db()
    return case


def refund_paid_back(refund, company, on, **values):
    """Finance pays the approved amount back to the applicant by bank transfer."""
    from refunds import services as refunds

    payment = {
        "amount": refund.amount,
        "method": "bank",
        "voucher": "FK-0001",
        "payee_name": refund.applicant,
        "payee_bank": "中国工商银行",
        "payee_account": "6222020200112233445",
        **values,
    }
    actor = payment.pop("actor", company.finance)
    return refunds.refund_paid(refund=refund, actor=actor, paid_on=on, **payment)
