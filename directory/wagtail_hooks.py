from wagtail import hooks

from .viewsets import directory_viewset


@hooks.register("register_admin_viewset")
def register_directory_viewset():
    return directory_viewset
