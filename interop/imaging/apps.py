from django.apps import AppConfig


class ImagingConfig(AppConfig):
    """Imaging studies of a patient from the establishments' PACS (DICOM C-FIND)."""

    name = "interop.imaging"
    label = "imaging"
    verbose_name = "Imagerie (PACS)"
    default_auto_field = "django.db.models.BigAutoField"
