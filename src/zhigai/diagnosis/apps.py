from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "zhigai.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.base.sections import enterprise_section_register
        from zhigai.core.access import enterprise_grant_register
        from zhigai.core.cache import cache_areas_register
        from zhigai.core.models import Role
        from zhigai.core.nav import nav_item_register

        from .models import Assessment, Assignment, Evidence, MaturityModel
        from .selectors import assigned_enterprise_ids
        from .views import enterprise_progress_section

        cache_areas_register(MaturityModel, "reference")
        cache_areas_register(Assessment, "assessments")
        cache_areas_register(Assignment, "access")  # who sees which enterprise
        cache_areas_register(Evidence)  # read afresh with its assessment
        nav_item_register(_("诊断"), "diagnosis:overview", order=20)

        # Experts and engineering service companies see the enterprises they are assigned to diagnose.
        enterprise_grant_register(Role.EXPERT, assigned_enterprise_ids)
        enterprise_grant_register(Role.PROVIDER, assigned_enterprise_ids)
        # The enterprise page shows its diagnoses over time.
        enterprise_section_register(enterprise_progress_section)
