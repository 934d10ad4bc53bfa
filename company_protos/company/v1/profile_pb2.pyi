from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union
DESCRIPTOR: _descriptor.FileDescriptor

class CompanyProfile(_message.Message):
    __slots__ = ('company_name', 'domain', 'website', 'description', 'industry', 'sector', 'employee_count', 'employee_count_exact', 'headquarters', 'founded_year', 'linkedin_url', 'legal_name', 'aliases', 'contacts', 'social_profiles', 'financial_data', 'identifiers', 'people', 'parent_company', 'subsidiaries', 'locations', 'confidence', 'provenance', 'not_found', 'resolution_notes', 'match_confidence', 'match_candidates', 'sources_unavailable', 'registration', 'extracted_at')

    class SocialProfilesEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str

        def __init__(self, key: _Optional[str]=..., value: _Optional[str]=...) -> None:
            ...

    class ProvenanceEntry(_message.Message):
        __slots__ = ('key', 'value')
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: FieldProvenance

        def __init__(self, key: _Optional[str]=..., value: _Optional[_Union[FieldProvenance, _Mapping]]=...) -> None:
            ...
    COMPANY_NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    SECTOR_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEE_COUNT_EXACT_FIELD_NUMBER: _ClassVar[int]
    HEADQUARTERS_FIELD_NUMBER: _ClassVar[int]
    FOUNDED_YEAR_FIELD_NUMBER: _ClassVar[int]
    LINKEDIN_URL_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    SOCIAL_PROFILES_FIELD_NUMBER: _ClassVar[int]
    FINANCIAL_DATA_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    PARENT_COMPANY_FIELD_NUMBER: _ClassVar[int]
    SUBSIDIARIES_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_NOTES_FIELD_NUMBER: _ClassVar[int]
    MATCH_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MATCH_CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    SOURCES_UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    EXTRACTED_AT_FIELD_NUMBER: _ClassVar[int]
    company_name: str
    domain: str
    website: str
    description: str
    industry: str
    sector: str
    employee_count: str
    employee_count_exact: int
    headquarters: Headquarters
    founded_year: int
    linkedin_url: str
    legal_name: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    contacts: ContactInfo
    social_profiles: _containers.ScalarMap[str, str]
    financial_data: FinancialData
    identifiers: Identifiers
    people: _containers.RepeatedCompositeFieldContainer[Person]
    parent_company: str
    subsidiaries: _containers.RepeatedScalarFieldContainer[str]
    locations: _containers.RepeatedCompositeFieldContainer[PostalAddress]
    confidence: float
    provenance: _containers.MessageMap[str, FieldProvenance]
    not_found: _containers.RepeatedScalarFieldContainer[str]
    resolution_notes: _containers.RepeatedScalarFieldContainer[str]
    match_confidence: float
    match_candidates: _containers.RepeatedCompositeFieldContainer[MatchCandidate]
    sources_unavailable: _containers.RepeatedScalarFieldContainer[str]
    registration: Registration
    extracted_at: _timestamp_pb2.Timestamp

    def __init__(self, company_name: _Optional[str]=..., domain: _Optional[str]=..., website: _Optional[str]=..., description: _Optional[str]=..., industry: _Optional[str]=..., sector: _Optional[str]=..., employee_count: _Optional[str]=..., employee_count_exact: _Optional[int]=..., headquarters: _Optional[_Union[Headquarters, _Mapping]]=..., founded_year: _Optional[int]=..., linkedin_url: _Optional[str]=..., legal_name: _Optional[str]=..., aliases: _Optional[_Iterable[str]]=..., contacts: _Optional[_Union[ContactInfo, _Mapping]]=..., social_profiles: _Optional[_Mapping[str, str]]=..., financial_data: _Optional[_Union[FinancialData, _Mapping]]=..., identifiers: _Optional[_Union[Identifiers, _Mapping]]=..., people: _Optional[_Iterable[_Union[Person, _Mapping]]]=..., parent_company: _Optional[str]=..., subsidiaries: _Optional[_Iterable[str]]=..., locations: _Optional[_Iterable[_Union[PostalAddress, _Mapping]]]=..., confidence: _Optional[float]=..., provenance: _Optional[_Mapping[str, FieldProvenance]]=..., not_found: _Optional[_Iterable[str]]=..., resolution_notes: _Optional[_Iterable[str]]=..., match_confidence: _Optional[float]=..., match_candidates: _Optional[_Iterable[_Union[MatchCandidate, _Mapping]]]=..., sources_unavailable: _Optional[_Iterable[str]]=..., registration: _Optional[_Union[Registration, _Mapping]]=..., extracted_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=...) -> None:
        ...

class Registration(_message.Message):
    __slots__ = ('register', 'number', 'legal_form', 'status', 'bankrupt', 'in_liquidation', 'dissolved', 'incorporation_date', 'registered_office', 'industry_codes', 'employee_band', 'match_score', 'url')
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    LEGAL_FORM_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BANKRUPT_FIELD_NUMBER: _ClassVar[int]
    IN_LIQUIDATION_FIELD_NUMBER: _ClassVar[int]
    DISSOLVED_FIELD_NUMBER: _ClassVar[int]
    INCORPORATION_DATE_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_OFFICE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_CODES_FIELD_NUMBER: _ClassVar[int]
    EMPLOYEE_BAND_FIELD_NUMBER: _ClassVar[int]
    MATCH_SCORE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    register: str
    number: str
    legal_form: str
    status: str
    bankrupt: bool
    in_liquidation: bool
    dissolved: bool
    incorporation_date: str
    registered_office: PostalAddress
    industry_codes: _containers.RepeatedCompositeFieldContainer[IndustryCode]
    employee_band: str
    match_score: float
    url: str

    def __init__(self, register: _Optional[str]=..., number: _Optional[str]=..., legal_form: _Optional[str]=..., status: _Optional[str]=..., bankrupt: bool=..., in_liquidation: bool=..., dissolved: bool=..., incorporation_date: _Optional[str]=..., registered_office: _Optional[_Union[PostalAddress, _Mapping]]=..., industry_codes: _Optional[_Iterable[_Union[IndustryCode, _Mapping]]]=..., employee_band: _Optional[str]=..., match_score: _Optional[float]=..., url: _Optional[str]=...) -> None:
        ...

class IndustryCode(_message.Message):
    __slots__ = ('scheme', 'code', 'label')
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    code: str
    label: str

    def __init__(self, scheme: _Optional[str]=..., code: _Optional[str]=..., label: _Optional[str]=...) -> None:
        ...

class MatchCandidate(_message.Message):
    __slots__ = ('domain', 'score', 'outcome')
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    domain: str
    score: float
    outcome: str

    def __init__(self, domain: _Optional[str]=..., score: _Optional[float]=..., outcome: _Optional[str]=...) -> None:
        ...

class Headquarters(_message.Message):
    __slots__ = ('city', 'state', 'country', 'country_code', 'state_code', 'street_address', 'postal_code')
    CITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATE_CODE_FIELD_NUMBER: _ClassVar[int]
    STREET_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    city: str
    state: str
    country: str
    country_code: str
    state_code: str
    street_address: str
    postal_code: str

    def __init__(self, city: _Optional[str]=..., state: _Optional[str]=..., country: _Optional[str]=..., country_code: _Optional[str]=..., state_code: _Optional[str]=..., street_address: _Optional[str]=..., postal_code: _Optional[str]=...) -> None:
        ...

class PostalAddress(_message.Message):
    __slots__ = ('street_address', 'city', 'state', 'postal_code', 'country', 'country_code', 'label')
    STREET_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    street_address: str
    city: str
    state: str
    postal_code: str
    country: str
    country_code: str
    label: str

    def __init__(self, street_address: _Optional[str]=..., city: _Optional[str]=..., state: _Optional[str]=..., postal_code: _Optional[str]=..., country: _Optional[str]=..., country_code: _Optional[str]=..., label: _Optional[str]=...) -> None:
        ...

class ContactInfo(_message.Message):
    __slots__ = ('contact_page', 'emails', 'phones', 'addresses')
    CONTACT_PAGE_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    contact_page: str
    emails: _containers.RepeatedCompositeFieldContainer[Email]
    phones: _containers.RepeatedCompositeFieldContainer[Phone]
    addresses: _containers.RepeatedCompositeFieldContainer[PostalAddress]

    def __init__(self, contact_page: _Optional[str]=..., emails: _Optional[_Iterable[_Union[Email, _Mapping]]]=..., phones: _Optional[_Iterable[_Union[Phone, _Mapping]]]=..., addresses: _Optional[_Iterable[_Union[PostalAddress, _Mapping]]]=...) -> None:
        ...

class Email(_message.Message):
    __slots__ = ('address', 'type')
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    address: str
    type: str

    def __init__(self, address: _Optional[str]=..., type: _Optional[str]=...) -> None:
        ...

class Phone(_message.Message):
    __slots__ = ('number', 'type', 'display')
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_FIELD_NUMBER: _ClassVar[int]
    number: str
    type: str
    display: str

    def __init__(self, number: _Optional[str]=..., type: _Optional[str]=..., display: _Optional[str]=...) -> None:
        ...

class FinancialData(_message.Message):
    __slots__ = ('valuation', 'funding_raised', 'revenue', 'net_income', 'market_cap', 'is_public', 'ticker', 'exchange', 'fiscal_year_end', 'shares_outstanding', 'figures', 'funding_rounds')
    VALUATION_FIELD_NUMBER: _ClassVar[int]
    FUNDING_RAISED_FIELD_NUMBER: _ClassVar[int]
    REVENUE_FIELD_NUMBER: _ClassVar[int]
    NET_INCOME_FIELD_NUMBER: _ClassVar[int]
    MARKET_CAP_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    TICKER_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    FISCAL_YEAR_END_FIELD_NUMBER: _ClassVar[int]
    SHARES_OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    FUNDING_ROUNDS_FIELD_NUMBER: _ClassVar[int]
    valuation: str
    funding_raised: str
    revenue: str
    net_income: str
    market_cap: str
    is_public: bool
    ticker: str
    exchange: str
    fiscal_year_end: str
    shares_outstanding: float
    figures: _containers.RepeatedCompositeFieldContainer[MoneyFigure]
    funding_rounds: _containers.RepeatedCompositeFieldContainer[FundingRound]

    def __init__(self, valuation: _Optional[str]=..., funding_raised: _Optional[str]=..., revenue: _Optional[str]=..., net_income: _Optional[str]=..., market_cap: _Optional[str]=..., is_public: bool=..., ticker: _Optional[str]=..., exchange: _Optional[str]=..., fiscal_year_end: _Optional[str]=..., shares_outstanding: _Optional[float]=..., figures: _Optional[_Iterable[_Union[MoneyFigure, _Mapping]]]=..., funding_rounds: _Optional[_Iterable[_Union[FundingRound, _Mapping]]]=...) -> None:
        ...

class FundingRound(_message.Message):
    __slots__ = ('date', 'amount_sold', 'offering_total', 'offering_total_indefinite', 'currency', 'display', 'filing_url', 'form', 'accession_number', 'filing_date', 'industry_group')
    DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_SOLD_FIELD_NUMBER: _ClassVar[int]
    OFFERING_TOTAL_FIELD_NUMBER: _ClassVar[int]
    OFFERING_TOTAL_INDEFINITE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_FIELD_NUMBER: _ClassVar[int]
    FILING_URL_FIELD_NUMBER: _ClassVar[int]
    FORM_FIELD_NUMBER: _ClassVar[int]
    ACCESSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FILING_DATE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_GROUP_FIELD_NUMBER: _ClassVar[int]
    date: str
    amount_sold: float
    offering_total: float
    offering_total_indefinite: bool
    currency: str
    display: str
    filing_url: str
    form: str
    accession_number: str
    filing_date: str
    industry_group: str

    def __init__(self, date: _Optional[str]=..., amount_sold: _Optional[float]=..., offering_total: _Optional[float]=..., offering_total_indefinite: bool=..., currency: _Optional[str]=..., display: _Optional[str]=..., filing_url: _Optional[str]=..., form: _Optional[str]=..., accession_number: _Optional[str]=..., filing_date: _Optional[str]=..., industry_group: _Optional[str]=...) -> None:
        ...

class MoneyFigure(_message.Message):
    __slots__ = ('kind', 'amount', 'currency', 'period', 'display')
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_FIELD_NUMBER: _ClassVar[int]
    kind: str
    amount: float
    currency: str
    period: str
    display: str

    def __init__(self, kind: _Optional[str]=..., amount: _Optional[float]=..., currency: _Optional[str]=..., period: _Optional[str]=..., display: _Optional[str]=...) -> None:
        ...

class Identifiers(_message.Message):
    __slots__ = ('lei', 'cik', 'wikidata_id', 'ticker', 'exchange', 'us_sic', 'naics', 'nace2', 'naf', 'uk_sic2007', 'no_orgnr', 'fr_siren', 'gb_company_number')
    LEI_FIELD_NUMBER: _ClassVar[int]
    CIK_FIELD_NUMBER: _ClassVar[int]
    WIKIDATA_ID_FIELD_NUMBER: _ClassVar[int]
    TICKER_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_FIELD_NUMBER: _ClassVar[int]
    US_SIC_FIELD_NUMBER: _ClassVar[int]
    NAICS_FIELD_NUMBER: _ClassVar[int]
    NACE2_FIELD_NUMBER: _ClassVar[int]
    NAF_FIELD_NUMBER: _ClassVar[int]
    UK_SIC2007_FIELD_NUMBER: _ClassVar[int]
    NO_ORGNR_FIELD_NUMBER: _ClassVar[int]
    FR_SIREN_FIELD_NUMBER: _ClassVar[int]
    GB_COMPANY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    lei: str
    cik: str
    wikidata_id: str
    ticker: str
    exchange: str
    us_sic: str
    naics: str
    nace2: str
    naf: str
    uk_sic2007: str
    no_orgnr: str
    fr_siren: str
    gb_company_number: str

    def __init__(self, lei: _Optional[str]=..., cik: _Optional[str]=..., wikidata_id: _Optional[str]=..., ticker: _Optional[str]=..., exchange: _Optional[str]=..., us_sic: _Optional[str]=..., naics: _Optional[str]=..., nace2: _Optional[str]=..., naf: _Optional[str]=..., uk_sic2007: _Optional[str]=..., no_orgnr: _Optional[str]=..., fr_siren: _Optional[str]=..., gb_company_number: _Optional[str]=...) -> None:
        ...

class Person(_message.Message):
    __slots__ = ('name', 'role')
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: str

    def __init__(self, name: _Optional[str]=..., role: _Optional[str]=...) -> None:
        ...

class FieldProvenance(_message.Message):
    __slots__ = ('source', 'url', 'retrieved_at', 'method', 'confidence', 'evidence', 'rivals')
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    RETRIEVED_AT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    RIVALS_FIELD_NUMBER: _ClassVar[int]
    source: str
    url: str
    retrieved_at: _timestamp_pb2.Timestamp
    method: str
    confidence: float
    evidence: str
    rivals: _containers.RepeatedCompositeFieldContainer[RivalValue]

    def __init__(self, source: _Optional[str]=..., url: _Optional[str]=..., retrieved_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., method: _Optional[str]=..., confidence: _Optional[float]=..., evidence: _Optional[str]=..., rivals: _Optional[_Iterable[_Union[RivalValue, _Mapping]]]=...) -> None:
        ...

class RivalValue(_message.Message):
    __slots__ = ('value', 'source', 'url', 'retrieved_at', 'method', 'confidence', 'evidence')
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    RETRIEVED_AT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    value: str
    source: str
    url: str
    retrieved_at: _timestamp_pb2.Timestamp
    method: str
    confidence: float
    evidence: str

    def __init__(self, value: _Optional[str]=..., source: _Optional[str]=..., url: _Optional[str]=..., retrieved_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]]=..., method: _Optional[str]=..., confidence: _Optional[float]=..., evidence: _Optional[str]=...) -> None:
        ...