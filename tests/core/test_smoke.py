from zhigai.base.models import Region


def test_reference_data_is_loaded(db):
    assert Region.objects.filter(level=2).count() == 11
    assert Region.objects.get(code="330100").children.count() >= 10
