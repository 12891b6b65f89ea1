"""HTTP routes for resources."""

from fastapi import APIRouter

router = APIRouter(tags=["resources"])
