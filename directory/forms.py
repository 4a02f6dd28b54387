from django import forms

from . import hsds


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        help_text="A zipped HSDS 3.0 tabular data package, or HSDS 3.0 JSON "
        "(services with their nested objects)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > hsds.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {hsds.MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
                "split the directory into several packages."
            )
        return upload
