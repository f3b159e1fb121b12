"""The manager dashboard's data: views (api/dashboard/views.py) and their JSON endpoints."""
