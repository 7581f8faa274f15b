from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "thrive.demo"
    label = "demo"
