from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "zhigai.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis"

    def ready(self) -> None:
        from zhigai.base.sections import enterprise_section_register
        from zhigai.core.errors import error_codes_register

        from . import policy  # noqa: F401  (registers the diagnosis policy and the assignment grant)
        from .errors import DiagnosisError
        from .views import enterprise_progress_section

        error_codes_register("diagnosis", DiagnosisError)

        # The enterprise page shows its diagnoses over time.
        enterprise_section_register(enterprise_progress_section)
