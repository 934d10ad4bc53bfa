"""Generated protocol buffer code."""
from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pool as _descriptor_pool
from google.protobuf import runtime_version as _runtime_version
from google.protobuf import symbol_database as _symbol_database
from google.protobuf.internal import builder as _builder
_runtime_version.ValidateProtobufRuntimeVersion(_runtime_version.Domain.PUBLIC, 5, 29, 0, '', 'company/v1/profile.proto')
_sym_db = _symbol_database.Default()
from google.protobuf import timestamp_pb2 as google_dot_protobuf_dot_timestamp__pb2
DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'\n\x18company/v1/profile.proto\x12\ncompany.v1\x1a\x1fgoogle/protobuf/timestamp.proto"\xc7\n\n\x0eCompanyProfile\x12\x19\n\x0ccompany_name\x18\x01 \x01(\tH\x00\x88\x01\x01\x12\x13\n\x06domain\x18\x02 \x01(\tH\x01\x88\x01\x01\x12\x14\n\x07website\x18\x03 \x01(\tH\x02\x88\x01\x01\x12\x18\n\x0bdescription\x18\x04 \x01(\tH\x03\x88\x01\x01\x12\x15\n\x08industry\x18\x05 \x01(\tH\x04\x88\x01\x01\x12\x13\n\x06sector\x18\x06 \x01(\tH\x05\x88\x01\x01\x12\x1b\n\x0eemployee_count\x18\x07 \x01(\tH\x06\x88\x01\x01\x12!\n\x14employee_count_exact\x18\x08 \x01(\x05H\x07\x88\x01\x01\x12.\n\x0cheadquarters\x18\t \x01(\x0b2\x18.company.v1.Headquarters\x12\x19\n\x0cfounded_year\x18\n \x01(\x05H\x08\x88\x01\x01\x12\x19\n\x0clinkedin_url\x18\x0b \x01(\tH\t\x88\x01\x01\x12\x17\n\nlegal_name\x18\x0c \x01(\tH\n\x88\x01\x01\x12\x0f\n\x07aliases\x18\r \x03(\t\x12)\n\x08contacts\x18\x0e \x01(\x0b2\x17.company.v1.ContactInfo\x12G\n\x0fsocial_profiles\x18\x0f \x03(\x0b2..company.v1.CompanyProfile.SocialProfilesEntry\x121\n\x0efinancial_data\x18\x10 \x01(\x0b2\x19.company.v1.FinancialData\x12,\n\x0bidentifiers\x18\x11 \x01(\x0b2\x17.company.v1.Identifiers\x12"\n\x06people\x18\x12 \x03(\x0b2\x12.company.v1.Person\x12\x1b\n\x0eparent_company\x18\x13 \x01(\tH\x0b\x88\x01\x01\x12\x14\n\x0csubsidiaries\x18\x14 \x03(\t\x12,\n\tlocations\x18\x15 \x03(\x0b2\x19.company.v1.PostalAddress\x12\x12\n\nconfidence\x18\x16 \x01(\x01\x12>\n\nprovenance\x18\x17 \x03(\x0b2*.company.v1.CompanyProfile.ProvenanceEntry\x12\x11\n\tnot_found\x18\x18 \x03(\t\x12\x18\n\x10resolution_notes\x18\x19 \x03(\t\x12\x1d\n\x10match_confidence\x18\x1a \x01(\x01H\x0c\x88\x01\x01\x124\n\x10match_candidates\x18\x1b \x03(\x0b2\x1a.company.v1.MatchCandidate\x12\x1b\n\x13sources_unavailable\x18\x1c \x03(\t\x120\n\x0cextracted_at\x18\x1d \x01(\x0b2\x1a.google.protobuf.Timestamp\x1a5\n\x13SocialProfilesEntry\x12\x0b\n\x03key\x18\x01 \x01(\t\x12\r\n\x05value\x18\x02 \x01(\t:\x028\x01\x1aN\n\x0fProvenanceEntry\x12\x0b\n\x03key\x18\x01 \x01(\t\x12*\n\x05value\x18\x02 \x01(\x0b2\x1b.company.v1.FieldProvenance:\x028\x01B\x0f\n\r_company_nameB\t\n\x07_domainB\n\n\x08_websiteB\x0e\n\x0c_descriptionB\x0b\n\t_industryB\t\n\x07_sectorB\x11\n\x0f_employee_countB\x17\n\x15_employee_count_exactB\x0f\n\r_founded_yearB\x0f\n\r_linkedin_urlB\r\n\x0b_legal_nameB\x11\n\x0f_parent_companyB\x13\n\x11_match_confidence"@\n\x0eMatchCandidate\x12\x0e\n\x06domain\x18\x01 \x01(\t\x12\r\n\x05score\x18\x02 \x01(\x01\x12\x0f\n\x07outcome\x18\x03 \x01(\t"\x98\x02\n\x0cHeadquarters\x12\x11\n\x04city\x18\x01 \x01(\tH\x00\x88\x01\x01\x12\x12\n\x05state\x18\x02 \x01(\tH\x01\x88\x01\x01\x12\x14\n\x07country\x18\x03 \x01(\tH\x02\x88\x01\x01\x12\x19\n\x0ccountry_code\x18\x04 \x01(\tH\x03\x88\x01\x01\x12\x17\n\nstate_code\x18\x05 \x01(\tH\x04\x88\x01\x01\x12\x1b\n\x0estreet_address\x18\x06 \x01(\tH\x05\x88\x01\x01\x12\x18\n\x0bpostal_code\x18\x07 \x01(\tH\x06\x88\x01\x01B\x07\n\x05_cityB\x08\n\x06_stateB\n\n\x08_countryB\x0f\n\r_country_codeB\r\n\x0b_state_codeB\x11\n\x0f_street_addressB\x0e\n\x0c_postal_code"\x8f\x02\n\rPostalAddress\x12\x1b\n\x0estreet_address\x18\x01 \x01(\tH\x00\x88\x01\x01\x12\x11\n\x04city\x18\x02 \x01(\tH\x01\x88\x01\x01\x12\x12\n\x05state\x18\x03 \x01(\tH\x02\x88\x01\x01\x12\x18\n\x0bpostal_code\x18\x04 \x01(\tH\x03\x88\x01\x01\x12\x14\n\x07country\x18\x05 \x01(\tH\x04\x88\x01\x01\x12\x19\n\x0ccountry_code\x18\x06 \x01(\tH\x05\x88\x01\x01\x12\x12\n\x05label\x18\x07 \x01(\tH\x06\x88\x01\x01B\x11\n\x0f_street_addressB\x07\n\x05_cityB\x08\n\x06_stateB\x0e\n\x0c_postal_codeB\n\n\x08_countryB\x0f\n\r_country_codeB\x08\n\x06_label"\xad\x01\n\x0bContactInfo\x12\x19\n\x0ccontact_page\x18\x01 \x01(\tH\x00\x88\x01\x01\x12!\n\x06emails\x18\x02 \x03(\x0b2\x11.company.v1.Email\x12!\n\x06phones\x18\x03 \x03(\x0b2\x11.company.v1.Phone\x12,\n\taddresses\x18\x04 \x03(\x0b2\x19.company.v1.PostalAddressB\x0f\n\r_contact_page"&\n\x05Email\x12\x0f\n\x07address\x18\x01 \x01(\t\x12\x0c\n\x04type\x18\x02 \x01(\t"6\n\x05Phone\x12\x0e\n\x06number\x18\x01 \x01(\t\x12\x0c\n\x04type\x18\x02 \x01(\t\x12\x0f\n\x07display\x18\x03 \x01(\t"\xd5\x03\n\rFinancialData\x12\x16\n\tvaluation\x18\x01 \x01(\tH\x00\x88\x01\x01\x12\x1b\n\x0efunding_raised\x18\x02 \x01(\tH\x01\x88\x01\x01\x12\x14\n\x07revenue\x18\x03 \x01(\tH\x02\x88\x01\x01\x12\x17\n\nnet_income\x18\x04 \x01(\tH\x03\x88\x01\x01\x12\x17\n\nmarket_cap\x18\x05 \x01(\tH\x04\x88\x01\x01\x12\x16\n\tis_public\x18\x06 \x01(\x08H\x05\x88\x01\x01\x12\x13\n\x06ticker\x18\x07 \x01(\tH\x06\x88\x01\x01\x12\x15\n\x08exchange\x18\x08 \x01(\tH\x07\x88\x01\x01\x12\x1c\n\x0ffiscal_year_end\x18\t \x01(\tH\x08\x88\x01\x01\x12\x1f\n\x12shares_outstanding\x18\n \x01(\x01H\t\x88\x01\x01\x12(\n\x07figures\x18\x0b \x03(\x0b2\x17.company.v1.MoneyFigureB\x0c\n\n_valuationB\x11\n\x0f_funding_raisedB\n\n\x08_revenueB\r\n\x0b_net_incomeB\r\n\x0b_market_capB\x0c\n\n_is_publicB\t\n\x07_tickerB\x0b\n\t_exchangeB\x12\n\x10_fiscal_year_endB\x15\n\x13_shares_outstanding"^\n\x0bMoneyFigure\x12\x0c\n\x04kind\x18\x01 \x01(\t\x12\x0e\n\x06amount\x18\x02 \x01(\x01\x12\x10\n\x08currency\x18\x03 \x01(\t\x12\x0e\n\x06period\x18\x04 \x01(\t\x12\x0f\n\x07display\x18\x05 \x01(\t"\xaf\x01\n\x0bIdentifiers\x12\x10\n\x03lei\x18\x01 \x01(\tH\x00\x88\x01\x01\x12\x10\n\x03cik\x18\x02 \x01(\tH\x01\x88\x01\x01\x12\x18\n\x0bwikidata_id\x18\x03 \x01(\tH\x02\x88\x01\x01\x12\x13\n\x06ticker\x18\x04 \x01(\tH\x03\x88\x01\x01\x12\x15\n\x08exchange\x18\x05 \x01(\tH\x04\x88\x01\x01B\x06\n\x04_leiB\x06\n\x04_cikB\x0e\n\x0c_wikidata_idB\t\n\x07_tickerB\x0b\n\t_exchange"$\n\x06Person\x12\x0c\n\x04name\x18\x01 \x01(\t\x12\x0c\n\x04role\x18\x02 \x01(\t"\xa8\x01\n\x0fFieldProvenance\x12\x0e\n\x06source\x18\x01 \x01(\t\x12\x0b\n\x03url\x18\x02 \x01(\t\x120\n\x0cretrieved_at\x18\x03 \x01(\x0b2\x1a.google.protobuf.Timestamp\x12\x0e\n\x06method\x18\x04 \x01(\t\x12\x12\n\nconfidence\x18\x05 \x01(\x01\x12\x15\n\x08evidence\x18\x06 \x01(\tH\x00\x88\x01\x01B\x0b\n\t_evidenceb\x06proto3')
_globals = globals()
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, _globals)
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, 'company.v1.profile_pb2', _globals)
if not _descriptor._USE_C_DESCRIPTORS:
    DESCRIPTOR._loaded_options = None
    _globals['_COMPANYPROFILE_SOCIALPROFILESENTRY']._loaded_options = None
    _globals['_COMPANYPROFILE_SOCIALPROFILESENTRY']._serialized_options = b'8\x01'
    _globals['_COMPANYPROFILE_PROVENANCEENTRY']._loaded_options = None
    _globals['_COMPANYPROFILE_PROVENANCEENTRY']._serialized_options = b'8\x01'
    _globals['_COMPANYPROFILE']._serialized_start = 74
    _globals['_COMPANYPROFILE']._serialized_end = 1425
    _globals['_COMPANYPROFILE_SOCIALPROFILESENTRY']._serialized_start = 1079
    _globals['_COMPANYPROFILE_SOCIALPROFILESENTRY']._serialized_end = 1132
    _globals['_COMPANYPROFILE_PROVENANCEENTRY']._serialized_start = 1134
    _globals['_COMPANYPROFILE_PROVENANCEENTRY']._serialized_end = 1212
    _globals['_MATCHCANDIDATE']._serialized_start = 1427
    _globals['_MATCHCANDIDATE']._serialized_end = 1491
    _globals['_HEADQUARTERS']._serialized_start = 1494
    _globals['_HEADQUARTERS']._serialized_end = 1774
    _globals['_POSTALADDRESS']._serialized_start = 1777
    _globals['_POSTALADDRESS']._serialized_end = 2048
    _globals['_CONTACTINFO']._serialized_start = 2051
    _globals['_CONTACTINFO']._serialized_end = 2224
    _globals['_EMAIL']._serialized_start = 2226
    _globals['_EMAIL']._serialized_end = 2264
    _globals['_PHONE']._serialized_start = 2266
    _globals['_PHONE']._serialized_end = 2320
    _globals['_FINANCIALDATA']._serialized_start = 2323
    _globals['_FINANCIALDATA']._serialized_end = 2792
    _globals['_MONEYFIGURE']._serialized_start = 2794
    _globals['_MONEYFIGURE']._serialized_end = 2888
    _globals['_IDENTIFIERS']._serialized_start = 2891
    _globals['_IDENTIFIERS']._serialized_end = 3066
    _globals['_PERSON']._serialized_start = 3068
    _globals['_PERSON']._serialized_end = 3104
    _globals['_FIELDPROVENANCE']._serialized_start = 3107
    _globals['_FIELDPROVENANCE']._serialized_end = 3275