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
