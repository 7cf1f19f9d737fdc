from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "zhigai.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis"

    def ready(self) -> None:
        from zhigai.base.sections import enterprise_section_register
        from zhigai.core.access import enterprise_grant_register
        from zhigai.core.models import Role

        from .selectors import assigned_enterprise_ids
        from .views import enterprise_progress_section

        # Experts and engineering service companies see the enterprises they are assigned to diagnose.
        enterprise_grant_register(Role.EXPERT, assigned_enterprise_ids)
        enterprise_grant_register(Role.PROVIDER, assigned_enterprise_ids)
        # The enterprise page shows its diagnoses over time.
        enterprise_section_register(enterprise_progress_section)
