import factory

from dcc.accounts.enums import Profile
from dcc.accounts.models import ProfileGrant, User

PASSWORD = "Mot-de-passe-de-test-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@demo.dcc.test")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileGrant
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    profile = Profile.MEDECIN

    @factory.post_generation
    def three_cs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.three_cs.set(extracted)

    @factory.post_generation
    def establishments(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.establishments.set(extracted)
