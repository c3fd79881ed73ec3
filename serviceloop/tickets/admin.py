from django.contrib import admin

from .models import Category, CustomField


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_zh", "parent", "team", "position", "is_active"]
    list_filter = ["is_active", "team"]
    search_fields = ["code", "name_en", "name_zh"]


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["key", "name_en", "name_zh", "field_type", "required", "is_active"]
    list_filter = ["field_type", "required", "is_active"]
