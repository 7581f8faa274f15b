"""Coded demographics as MHSDS records them."""

from django.db import models


class Sex(models.TextChoices):
    # NHS Data Dictionary "Person Stated Sex" / phenotypic sex codes
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate (unable to be classified as either male or female)"
    NOT_KNOWN = "X", "Not known"


class GenderIdentity(models.TextChoices):
    MALE = "1", "Male (including trans man)"
    FEMALE = "2", "Female (including trans woman)"
    NON_BINARY = "3", "Non-binary"
    OTHER = "4", "Other (not listed)"
    NOT_KNOWN = "X", "Not known"
    NOT_STATED = "Z", "Not stated (person asked but declined to provide a response)"


class EthnicCategory(models.TextChoices):
    # NHS Data Dictionary "Ethnic Category" (2001 census based, as used in MHSDS)
    A = "A", "White: British"
    B = "B", "White: Irish"
    C = "C", "White: any other White background"
    D = "D", "Mixed: White and Black Caribbean"
    E = "E", "Mixed: White and Black African"
    F = "F", "Mixed: White and Asian"
    G = "G", "Mixed: any other mixed background"
    H = "H", "Asian or Asian British: Indian"
    J = "J", "Asian or Asian British: Pakistani"
    K = "K", "Asian or Asian British: Bangladeshi"
    L = "L", "Asian or Asian British: any other Asian background"
    M = "M", "Black or Black British: Caribbean"
    N = "N", "Black or Black British: African"
    P = "P", "Black or Black British: any other Black background"
    R = "R", "Other ethnic groups: Chinese"
    S = "S", "Other ethnic groups: any other ethnic group"
    Z = "Z", "Not stated"
    NOT_KNOWN = "99", "Not known"
