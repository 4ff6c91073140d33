"""The ID-check API and page with the DOMAIN examples."""

from __future__ import annotations

URL = "/api/v1/crosscheck/idcheck"


def test_domain_examples(client, api_token):
    ids = ["11010519491231002X", "440524188001010014", "610104620927690", "11010519491231002x ", "110105194912310021"]
    rows = client.post(URL, {"ids": ids}, content_type="application/json", **api_token("inspector")).json()
    assert [r["valid"] for r in rows] == [True, True, True, True, False]
    assert rows[0] == {
        "input": "11010519491231002X",
        "valid": True,
        "normalized": "11010519491231002X",
        "reasons": [],
        "birth_date": "1949-12-31",
        "sex": "女",
        "region_code": "110105",
    }
    assert rows[2]["normalized"] == "610104196209276908" and "15 位旧号码已升级为 18 位" in rows[2]["reasons"]
    assert rows[3]["normalized"] == "11010519491231002X"
    assert rows[4]["reasons"] == ["校验码应为 X,实际为 1"]


def test_too_many_ids_is_a_chinese_422(client, api_token):
    response = client.post(URL, {"ids": ["1"] * 10_001}, content_type="application/json", **api_token("perf_admin"))
    assert response.status_code == 422
    assert response.json()["code"] == "too_many" and "一次最多校验 10000 个" in response.json()["message"]


def test_district_verifier_may_check_ids(client, api_token, login):
    response = client.post(
        URL, {"ids": ["440524188001010014"]}, content_type="application/json", **api_token("xinzhou_fin")
    )
    assert response.status_code == 200 and response.json()[0]["sex"] == "男"
    page = login("xinzhou_fin").post("/crosscheck/idcheck/", {"ids": "610104620927690\n123"}).content.decode()
    assert "610104196209276908" in page and "长度应为 18 位" in page
