{#- The filing indicator columns, in contract order. Jinja needs them at compile time to
    generate one *_yoy column each; the seed `indicators` is the catalogue, and the singular
    test assert_filing_indicators_match_seed fails if the two lists ever differ. -#}
{% macro filing_indicators() -%}
    {{ return([
        'revenue',
        'rd_expense',
        'invention_applications',
        'invention_grants',
        'valid_invention_patents',
        'high_value_invention_patents',
        'pct_applications',
        'trademark_registrations',
        'ip_staff',
        'ip_budget',
        'ip_transaction_income',
        'ip_pledge_financing',
        'patent_product_revenue',
    ]) }}
{%- endmacro %}
