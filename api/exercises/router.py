"""HTTP routes for exercises."""

from fastapi import APIRouter

router = APIRouter(tags=["exercises"])
