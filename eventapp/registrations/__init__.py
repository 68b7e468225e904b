"""Journalist and site registrations, accreditation, enrolment and capacity."""
