"""HTTP routes for topics."""

from fastapi import APIRouter

router = APIRouter(tags=["topics"])
