app_name = "soa"
urlpatterns: list = []
